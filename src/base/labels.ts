/**
 * Label windows on the time axis, whatever feed they came from: the anomaly kinds, a window's shape, merging windows
 * of several feeds into one event, and putting windows on the steps of a grid. Nothing here knows Radar's formats
 * (radar/labels turns Radar's feeds into these candidates).
 */
import { gridStep, HOUR_MS, isoUtc } from './time';

/** Kinds of labelled anomaly. `outage` is nationwide/full, `partial_outage` regional or one network. */
export const ANOMALY_KINDS = ['outage', 'partial_outage', 'l3_ddos', 'l7_attack', 'bot_surge', 'traffic_surge', 'routing_change'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** Where a label came from. */
export type LabelSource = 'synthetic' | 'radar-outage' | 'radar-anomaly' | 'radar-annotation' | 'csv';

/** A labelled anomaly window, [start, end) in UTC ISO-8601. */
export interface LabelWindow {
  start: string;
  end: string;
  kind: AnomalyKind;
  source: LabelSource;
  id?: string;
  description?: string;
}

/** A [start, end) span in epoch ms. */
export interface TimeWindow {
  start: number;
  end: number;
}

/** A window before merging: `kindGuessed` when the feed did not say which kind it was. */
export interface LabelCandidate extends LabelWindow {
  startMs: number;
  endMs: number;
  kindGuessed: boolean;
}

// When windows of several feeds merge, the most curated source names the result.
const SOURCE_RANK: Record<LabelSource, number> = { synthetic: 0, csv: 0, 'radar-outage': 1, 'radar-annotation': 2, 'radar-anomaly': 3 };

/** A candidate for span [start, end) (epoch ms); id and description are left out when empty. */
export function labelCandidate(span: TimeWindow, kind: AnomalyKind, kindGuessed: boolean, source: LabelSource, id?: string, description?: string): LabelCandidate {
  return {
    start: isoUtc(span.start),
    end: isoUtc(span.end),
    kind,
    source,
    ...(id ? { id } : {}),
    ...(description ? { description } : {}),
    startMs: span.start,
    endMs: span.end,
    kindGuessed,
  };
}

/** Union of windows: overlapping or touching spans become one, sorted by start. */
export function mergeTimeWindows(windows: TimeWindow[]): TimeWindow[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  const out: TimeWindow[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ ...w });
  }
  return out;
}

function overlaps(a: TimeWindow, b: TimeWindow): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * Merges candidates into final windows, so one event seen in several feeds or chunks is one window:
 * 1. same-kind windows that overlap or touch merge into their union (the most curated source,
 *    outage feed > annotation > anomaly, gives id/description);
 * 2. a window whose kind was only guessed (an anomaly or annotation without radarwatchKind) that
 *    overlaps a window of known kind is the same event seen by a less specific feed and is dropped.
 */
export function mergeLabels(cands: LabelCandidate[]): LabelWindow[] {
  const byKind = new Map<string, LabelCandidate[]>();
  for (const c of [...cands].sort((a, b) => a.startMs - b.startMs || SOURCE_RANK[a.source] - SOURCE_RANK[b.source])) {
    const list = byKind.get(c.kind) ?? [];
    const last = list[list.length - 1];
    if (last && c.startMs <= last.endMs) {
      const keep = SOURCE_RANK[c.source] < SOURCE_RANK[last.source] ? c : last;
      list[list.length - 1] = { ...keep, startMs: last.startMs, endMs: Math.max(last.endMs, c.endMs), kindGuessed: last.kindGuessed && c.kindGuessed };
    } else list.push({ ...c });
    byKind.set(c.kind, list);
  }
  const merged = [...byKind.values()].flat();
  const known = merged.filter((m) => !m.kindGuessed);
  const kept = merged.filter((m) => !m.kindGuessed || !known.some((k) => overlaps({ start: m.startMs, end: m.endMs }, { start: k.startMs, end: k.endMs })));
  return kept
    .sort((a, b) => a.startMs - b.startMs || ANOMALY_KINDS.indexOf(a.kind) - ANOMALY_KINDS.indexOf(b.kind))
    .map(({ startMs, endMs, kindGuessed: _g, ...w }) => ({ ...w, start: isoUtc(startMs), end: isoUtc(endMs) }));
}

/**
 * The label kind of each grid step: the kind of a window overlapping the step [t, t + stepMs), '' for none; where
 * windows of several kinds overlap a step, the first kind in ANOMALY_KINDS wins.
 */
export function labelKindPerStep(timestamps: ArrayLike<number>, labels: LabelWindow[], stepMs = gridStep(timestamps)): string[] {
  const out = new Array<string>(timestamps.length).fill('');
  const rank = new Array<number>(timestamps.length).fill(Infinity);
  if (timestamps.length === 0) return out;
  const t0 = timestamps[0];
  for (const l of labels) {
    const s = Date.parse(l.start);
    const e = Date.parse(l.end);
    const r = ANOMALY_KINDS.indexOf(l.kind);
    // The grid is regular, so jump straight to the first overlapping row.
    for (let i = Math.max(0, Math.floor((s - t0) / stepMs)); i < timestamps.length && timestamps[i] < e; i++) {
      if (timestamps[i] + stepMs > s && r < rank[i]) {
        rank[i] = r;
        out[i] = l.kind;
      }
    }
  }
  return out;
}

/** Label kind per hour of an hourly grid (labelKindPerStep at 1 h): the first kind in ANOMALY_KINDS order wins; '' = normal. */
export function labelKindPerHour(timestamps: ArrayLike<number>, labels: LabelWindow[]): string[] {
  return labelKindPerStep(timestamps, labels, HOUR_MS);
}

/** 1 for each step [t, t + stepMs) of a regular grid that overlaps one of `windows`. */
export function inWindowsPerStep(timestamps: ArrayLike<number>, windows: TimeWindow[], stepMs = gridStep(timestamps)): Uint8Array {
  const out = new Uint8Array(timestamps.length);
  if (timestamps.length === 0) return out;
  const t0 = timestamps[0];
  for (const w of windows) {
    for (let i = Math.max(0, Math.floor((w.start - t0) / stepMs)); i < timestamps.length && timestamps[i] < w.end; i++) {
      if (timestamps[i] + stepMs > w.start) out[i] = 1;
    }
  }
  return out;
}
