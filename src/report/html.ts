/** Self-contained plotly HTML pages: the plotly.js bundle from node_modules is inlined, so reports open offline and never call a CDN. */
import * as fs from 'fs';
import { DataError } from '../errors';
import { writeFileAtomic } from '../util/fsx';

/** One plotly figure: traces and layout as plotly.js takes them. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
}

/** Reads the minified plotly.js bundle (about 4.8 MB) from node_modules. */
export function plotlyBundle(): string {
  let file: string;
  try {
    file = require.resolve('plotly.js-dist-min/plotly.min.js');
  } catch {
    throw new DataError('plotly.js-dist-min is not installed; run `npm install` in the radarwatch folder to get it (reports inline it instead of using a CDN).');
  }
  return fs.readFileSync(file, 'utf8');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON that is safe inside a <script> element: `<` is escaped so data can never close the tag. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Height of a figure in CSS pixels: its layout.height, else plotly's default 450. */
export function figureHeight(fig: PlotlyFigure): number {
  const h = fig.layout?.height;
  return typeof h === 'number' && h > 0 ? h : 450;
}

/**
 * Renders a page with a title and one plot per figure (in order), plotly inlined. Once every plot is drawn the body gets
 * `data-plotly-ready="<figures>"`, which the PNG renderer waits for.
 */
export function renderPlotlyHtml(title: string, figures: PlotlyFigure[], opts: { bundle?: string } = {}): string {
  const bundle = (opts.bundle ?? plotlyBundle()).replace(/<\/script/gi, '<\\/script');
  // An explicit height per plot: with `responsive`, plotly sizes to its div, and a div without a height collapses to 0.
  const divs = figures.map((f, i) => `<div id="fig${i}" class="fig" style="height:${figureHeight(f)}px"></div>`).join('\n');
  const figs = figures.map((f) => ({ data: f.data, layout: { autosize: true, ...(f.layout ?? {}) } }));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}h1{font-size:1.3rem}.fig{width:100%;margin-bottom:1.5rem}</style>
<script>${bundle}</script>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${divs}
<script>
const FIGURES = ${scriptJson(figs)};
Promise.all(FIGURES.map(function (f, i) { return Plotly.newPlot('fig' + i, f.data, f.layout, { responsive: true, displaylogo: false }); }))
  .then(function () { document.body.setAttribute('data-plotly-ready', String(FIGURES.length)); });
</script>
</body>
</html>
`;
}

/** Writes a self-contained plotly page to `file` atomically; returns the file. */
export function writePlotlyHtml(file: string, title: string, figures: PlotlyFigure[]): string {
  writeFileAtomic(file, renderPlotlyHtml(title, figures));
  return file;
}
