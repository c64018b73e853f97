/** Types of scored hours and anomaly events, shared by detect/, evaluate/, the server and the watcher. */

/** Likely causes an event is attributed to. */
export const CAUSES = ['outage', 'l3_ddos', 'l7_attack', 'bot_surge', 'traffic_surge', 'routing_change', 'traffic_drop', 'unknown'] as const;
export type Cause = (typeof CAUSES)[number];

/** One scored hour. */
export interface ScoredHour {
  /** Row start, epoch ms UTC. */
  timestamp: number;
  /** false for rows without the history the detector needs (start of the data): no score, never "normal". Absent = true. */
  scorable?: boolean;
  /** Calibrated anomaly probability in [0, 1] (NaN when not scorable); 0.5 sits at the false-alarm budget. */
  score: number;
  /**
   * Evidence in decades: −log10 of the row's tail probability among normal held-out rows (score = 1 / (1 + 10^−evidence
   * / budget)). It keeps ranking rows where the probability rounds to 1; absent where not kept (hours the watcher stored before it kept evidence).
   */
  evidence?: number;
  /** Probability threshold (0.5). */
  threshold: number;
  anomaly: boolean;
  /** Share of the score per signal (sums to 1); categorical heads count as `calendar`. */
  signals: Record<string, number>;
  /** Per signal, the scaled deviation of its level from the seasonal baseline (negative = below normal). */
  direction: Record<string, number>;
}

export interface EventSignal {
  signal: string;
  /** Score-weighted share over the event's hours. */
  share: number;
  direction: 'up' | 'down';
}

/** Consecutive anomalous hours merged into one event. */
export interface AnomalyEvent {
  /** First anomalous hour, ISO UTC. */
  start: string;
  /** End (exclusive): the hour after the last anomalous hour, ISO UTC. */
  end: string;
  hours: number;
  peakScore: number;
  /** The peak row's evidence in decades (see DetectHour.evidence); absent where its hours carry none. */
  peakEvidence?: number;
  peakAt: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  cause: Cause;
  topSignals: EventSignal[];
}

/** One hour of a detection result, as printed by `radarwatch detect --json` and returned by `/api/detect`. */
export interface DetectHour {
  timestamp: string;
  /** false for warm-up rows at the start of the data: no score. */
  scorable: boolean;
  /** Calibrated anomaly probability in [0, 1]; null when not scorable. */
  probability: number | null;
  /** The same as `probability` (kept for clients of the first API version). */
  score: number | null;
  /**
   * −log10 of the hour's tail probability among normal held-out hours, in decades (3 decimals; null when not
   * scorable): probability = 1 / (1 + 10^−evidence / budget). It keeps ordering hours the probability rounds to 1.
   */
  evidence: number | null;
  /** Probability threshold: anomalous when probability > threshold (0.5, the false-alarm budget). */
  threshold: number;
  anomaly: boolean;
  /** Share of the score per signal (sums to 1). */
  signals: Record<string, number>;
}

/** The documented detection JSON object (CLI `--json`, `GET /api/detect`). */
export interface DetectResult {
  country: string;
  /** First hour, ISO UTC. */
  from: string;
  /** End (exclusive), ISO UTC. */
  to: string;
  model: { dir: string; createdAt: string; detector: string; falseAlarmsPerWeek: number; thresholdMethod: string; threshold: number; temperature: number; trainedFrom: string; trainedTo: string };
  hours: DetectHour[];
  events: AnomalyEvent[];
  /** Only with `include=series` / `--series`: the signal values per hour (same order as `hours`) and labelled windows in range. */
  series?: { signals: Record<string, number[]>; labels: { start: string; end: string; kind: string }[] };
}
