/** Self-contained plotly HTML pages: the plotly.js bundle from node_modules is inlined, so reports open offline and never call a CDN. */
import * as fs from 'fs';
import { DataError } from '../errors';
import { writeFileAtomic } from '../util/fsx';

/** One plotly figure: traces and layout as plotly.js takes them. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
}

// The bundle is a static file of the installed package: read once per process, not once per page.
let bundleCache: string | undefined;

/** The minified plotly.js bundle (about 4.8 MB) from node_modules, read on first use. */
export function plotlyBundle(): string {
  if (bundleCache !== undefined) return bundleCache;
  let file: string;
  try {
    file = require.resolve('plotly.js-dist-min/plotly.min.js');
  } catch {
    throw new DataError('plotly.js-dist-min is not installed; run `npm install` in the radarwatch folder to get it (reports inline it instead of using a CDN).');
  }
  bundleCache = fs.readFileSync(file, 'utf8');
  return bundleCache;
}

/** A <script> element holding `bundle` (default: plotly's), with any `</script` inside escaped so it cannot end early. */
export function inlineScript(bundle: string = plotlyBundle()): string {
  return `<script>${bundle.replace(/<\/script/gi, '<\\/script')}</script>`;
}

/** A figure as plotly.newPlot takes it, sized by its container unless the layout says otherwise. */
export function autosized(f: PlotlyFigure): PlotlyFigure {
  return { data: f.data, layout: { autosize: true, ...(f.layout ?? {}) } };
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON that is safe inside a <script> element: `<` is escaped so data can never close the tag. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Height of a figure in CSS pixels: its layout.height, else plotly's default 450. */
export function figureHeight(fig: PlotlyFigure): number {
  const h = fig.layout?.height;
  return typeof h === 'number' && h > 0 ? h : 450;
}

/** The common page shell of every report: doctype, meta, title, page style (+ `css`), extra head markup and an h1. */
export function htmlPage(title: string, body: string, opts: { css?: string; head?: string } = {}): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}${opts.css ?? ''}</style>
${opts.head ?? ''}</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

/**
 * Renders a page with a title and one plot per figure (in order), plotly inlined. Once every plot is drawn the body gets
 * `data-plotly-ready="<figures>"`, which the PNG renderer waits for.
 */
export function renderPlotlyHtml(title: string, figures: PlotlyFigure[], opts: { bundle?: string } = {}): string {
  // An explicit height per plot: with `responsive`, plotly sizes to its div, and a div without a height collapses to 0.
  const divs = figures.map((f, i) => `<div id="fig${i}" class="fig" style="height:${figureHeight(f)}px"></div>`).join('\n');
  const figs = figures.map(autosized);
  const script = `<script>
const FIGURES = ${scriptJson(figs)};
Promise.all(FIGURES.map(function (f, i) { return Plotly.newPlot('fig' + i, f.data, f.layout, { responsive: true, displaylogo: false }); }))
  .then(function () { document.body.setAttribute('data-plotly-ready', String(FIGURES.length)); });
</script>`;
  return htmlPage(title, `${divs}\n${script}`, { css: 'h1{font-size:1.3rem}.fig{width:100%;margin-bottom:1.5rem}', head: `${inlineScript(opts.bundle)}\n` });
}

/** Writes a self-contained plotly page to `file` atomically; returns the file. */
export function writePlotlyHtml(file: string, title: string, figures: PlotlyFigure[]): string {
  writeFileAtomic(file, renderPlotlyHtml(title, figures));
  return file;
}
