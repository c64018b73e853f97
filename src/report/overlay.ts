/** Shared figure pieces: colours per anomaly kind, shaded label windows, ISO time axes and small array helpers for the report builders. */
import { ANOMALY_KINDS, type LabelWindow } from '../base/labels';

/** One colour per labelled anomaly kind (fixed, so every report reads the same). */
export const KIND_COLORS: Readonly<Record<string, string>> = Object.freeze({
  outage: '#d62728',
  partial_outage: '#ff7f0e',
  l3_ddos: '#9467bd',
  l7_attack: '#8c564b',
  bot_surge: '#e377c2',
  traffic_surge: '#17becf',
  routing_change: '#bcbd22',
});

/** Colour of a kind (grey for kinds outside ANOMALY_KINDS, e.g. from an imported CSV). */
export function kindColor(kind: string): string {
  return KIND_COLORS[kind] ?? '#7f7f7f';
}

/** Epoch ms → ISO string plotly reads as a date (UTC, no trailing Z so the axis shows UTC wall time). */
export function isoHour(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** Label windows overlapping [fromMs, toMs). */
export function labelsIn(labels: LabelWindow[], fromMs: number, toMs: number): LabelWindow[] {
  return labels.filter((l) => Date.parse(l.end) > fromMs && Date.parse(l.start) < toMs);
}

/**
 * Shaded rectangles for label windows spanning the full plot height (yref paper), drawn below the traces.
 * `color` overrides the kind colour (e.g. green = detected, red = missed).
 */
export function labelShapes(labels: LabelWindow[], opts: { color?: (l: LabelWindow) => string; opacity?: number; yref?: string; y0?: number; y1?: number } = {}): Record<string, unknown>[] {
  return labels.map((l) => ({
    type: 'rect',
    xref: 'x',
    yref: opts.yref ?? 'paper',
    x0: isoHour(Date.parse(l.start)),
    x1: isoHour(Date.parse(l.end)),
    y0: opts.y0 ?? 0,
    y1: opts.y1 ?? 1,
    fillcolor: opts.color ? opts.color(l) : kindColor(l.kind),
    opacity: opts.opacity ?? 0.25,
    line: { width: 0 },
    layer: 'below',
  }));
}

/** Legend-only traces (one square marker per kind present) explaining the colours of labelShapes. */
export function kindLegendTraces(labels: LabelWindow[]): Record<string, unknown>[] {
  const present = new Set(labels.map((l) => l.kind as string));
  const kinds = [...ANOMALY_KINDS.filter((k) => present.has(k)), ...[...present].filter((k) => !(ANOMALY_KINDS as readonly string[]).includes(k)).sort()];
  return kinds.map((k) => ({
    type: 'scatter',
    mode: 'markers',
    name: `label: ${k}`,
    x: [null],
    y: [null],
    marker: { color: kindColor(k), symbol: 'square', size: 12, opacity: 0.5 },
    hoverinfo: 'skip',
  }));
}

/** Plotly grid layout keys for `rows` stacked subplots sharing one x axis: yaxis, yaxis2, … with titles. */
export function stackedAxes(titles: string[], opts: { logY?: boolean[] } = {}): Record<string, unknown> {
  const layout: Record<string, unknown> = {
    grid: { rows: titles.length, columns: 1, subplots: titles.map((_, i) => [i === 0 ? 'xy' : `xy${i + 1}`]), roworder: 'top to bottom', ygap: 0.15 },
  };
  titles.forEach((t, i) => {
    layout[i === 0 ? 'yaxis' : `yaxis${i + 1}`] = { title: { text: t, font: { size: 11 } }, ...(opts.logY?.[i] ? { type: 'log' } : {}) };
  });
  return layout;
}

/** Axis id of the i-th stacked subplot (0-based): y, y2, y3 … */
export function yAxisId(i: number): string {
  return i === 0 ? 'y' : `y${i + 1}`;
}

/** Rounds to `digits` significant digits, keeping JSON (and the HTML pages) small. */
export function round(x: number, digits = 5): number | null {
  if (!Number.isFinite(x)) return null;
  if (x === 0) return 0;
  return Number(x.toPrecision(digits));
}

/** Array.from(…, round) for typed arrays. */
export function rounded(xs: ArrayLike<number>, digits = 5): (number | null)[] {
  return Array.from(xs, (x) => round(x, digits));
}
