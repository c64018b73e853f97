/** Row operations on CountryFrame tables. */
import type { CountryFrame } from './types';

/**
 * 1 for rows usable as "normal" evidence: not gap-filled (any signal, or `signal` itself when given), not
 * unreliable, not inside a labelled window; rows [0, end) (default: all). Shared by the seasonal rule, calibration
 * and the EDA report.
 */
export function normalRows(frame: CountryFrame, end = frame.timestamps.length, signal?: string): Uint8Array {
  const gap = signal === undefined ? frame.gap : signalGapOf(frame, signal);
  return Uint8Array.from({ length: end }, (_, i) => (gap[i] || frame.unreliable[i] || frame.labelKind[i] ? 0 : 1));
}

/**
 * 1 on labelled rows before `until` (epoch ms; the end of the rows a calibration saw): known anomalies; undefined when
 * no row is known (`until` absent, or no labelled row before it), so callers make no mask and no copy. Later labels
 * are never read, so they cannot reach a score.
 */
export function knownLabelRows(frame: Pick<CountryFrame, 'timestamps' | 'labelKind'>, until: number | undefined): Uint8Array | undefined {
  let out: Uint8Array | undefined;
  if (until === undefined) return out;
  for (let i = 0; i < frame.timestamps.length && frame.timestamps[i] < until; i++) if (frame.labelKind[i]) (out ??= new Uint8Array(frame.timestamps.length))[i] = 1;
  return out;
}

/** 1 where `signal` was missing and filled: its own flags when the frame has them, else the row-level `gap`. */
export function signalGapOf(frame: Pick<CountryFrame, 'gap' | 'signalGap'>, signal: string): Uint8Array {
  return frame.signalGap?.[signal] ?? frame.gap;
}

/**
 * 1 where `signal`'s value can be evidence: really observed (not filled) on a row Radar does not mark unreliable
 * (PIPELINE: a source under-reported). The seasonal rule and the network's errors both give evidence on these rows only.
 */
export function reliableRows(frame: Pick<CountryFrame, 'gap' | 'signalGap' | 'unreliable'>, signal: string): Uint8Array {
  const g = signalGapOf(frame, signal);
  return Uint8Array.from(g, (v, i) => (v || frame.unreliable[i] ? 0 : 1));
}

/**
 * 1 for rows whose scores can be judged: not Radar-unreliable and at least one signal really observed (not every
 * signal filled). A row where one signal is missing still carries the others' evidence, so it is scored and evaluated.
 */
export function observedRows(frame: CountryFrame): Uint8Array {
  const n = frame.timestamps.length;
  const out = new Uint8Array(n);
  const masks = frame.signalNames.map((s) => signalGapOf(frame, s));
  for (let i = 0; i < n; i++) out[i] = !frame.unreliable[i] && (masks.length === 0 ? !frame.gap[i] : masks.some((m) => !m[i])) ? 1 : 0;
  return out;
}

/** Rows [start, end) of a frame as a new frame (label windows are kept; per-hour columns are sliced). */
export function sliceFrame(frame: CountryFrame, start: number, end: number): CountryFrame {
  const signals: Record<string, Float64Array> = {};
  for (const s of frame.signalNames) signals[s] = frame.signals[s].slice(start, end);
  return {
    ...frame,
    timestamps: frame.timestamps.slice(start, end),
    signals,
    gap: frame.gap.slice(start, end),
    ...(frame.signalGap ? { signalGap: Object.fromEntries(Object.entries(frame.signalGap).map(([k, v]) => [k, v.slice(start, end)])) } : {}),
    unreliable: frame.unreliable.slice(start, end),
    labelKind: frame.labelKind.slice(start, end),
  };
}
