/**
 * Figures as HTML fragments for notebook outputs (tslab `display.html`): the plotly bundle is inlined once per notebook
 * by plotlyLoaderHtml(), each figure after that is a small div + script, so notebooks render offline without a CDN.
 */
import { randomUUID } from 'crypto';
import { autosized, figureHeight, inlineScript, scriptJson, type PlotlyFigure } from './html';

/** A <script> holding the whole plotly.js bundle (sets window.Plotly); display it once, in the notebook's import cell. */
export function plotlyLoaderHtml(opts: { bundle?: string } = {}): string {
  return `${inlineScript(opts.bundle)}<div style="color:#888;font-size:smaller">plotly.js inlined (offline)</div>`;
}

/**
 * One figure as a fragment: a div and a script that draws it once window.Plotly exists (it waits up to ~10 s for the
 * loader output, then says which cell to run).
 */
export function figureHtml(fig: PlotlyFigure, opts: { id?: string } = {}): string {
  const id = opts.id ?? `rw-fig-${randomUUID()}`;
  const f = autosized(fig);
  return `<div id="${id}" class="rw-fig" style="width:100%;height:${figureHeight(fig)}px"></div>
<script>(function () {
  var f = ${scriptJson(f)}, tries = 0;
  function draw() {
    var el = document.getElementById(${JSON.stringify(id)});
    if (!el) return;
    if (window.Plotly) { window.Plotly.newPlot(el, f.data, f.layout, { responsive: true, displaylogo: false }); return; }
    if (++tries < 200) { setTimeout(draw, 50); return; }
    el.textContent = 'plotly.js is not loaded: run the notebook\\'s import cell (it displays the plotly bundle) first.';
  }
  draw();
})();</script>`;
}

/** Several figures as one fragment, in order. */
export function figuresHtml(figs: PlotlyFigure[]): string {
  return figs.map((f) => figureHtml(f)).join('\n');
}
