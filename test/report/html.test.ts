import { strict as assert } from 'assert';
import { plotlyBundle, renderPlotlyHtml } from '../../src/report/html';
import { figureHtml, figuresHtml, plotlyLoaderHtml } from '../../src/report/inline';

const figure = { data: [{ type: 'scatter', x: [1, 2], y: [3, 4], name: '</script><script>alert(1)</script>' }], layout: { title: { text: 'T' }, height: 300 } };

/** Every <script …> opening tag of a page. */
const scriptTags = (html: string) => [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);

describe('report/html and report/inline', () => {
  const bundle = plotlyBundle();

  it('report pages inline plotly.js: no script loads anything (no src, no CDN), data cannot close the script', () => {
    const html = renderPlotlyHtml('radarwatch <test>', [figure, { data: figure.data }]);
    assert.deepEqual(scriptTags(html), ['<script>', '<script>']);
    assert.doesNotMatch(html, /<script[^>]+src=/i);
    assert.ok(html.includes(`<script>${bundle}</script>`), 'the whole bundle is inlined');
    // outside the bundle (whose geo code knows a topojson URL, unused here) the page references nothing remote
    assert.ok(!html.replace(bundle, '').includes('http'), 'no http(s) reference outside the plotly bundle');
    assert.equal(html.split('</script>').length - 1, 2, 'figure text cannot end a script early');
    assert.match(html, /<title>radarwatch &lt;test&gt;<\/title>/);
    assert.match(html, /<div id="fig0" class="fig" style="height:300px"><\/div>\n<div id="fig1" class="fig" style="height:450px"><\/div>/);
    assert.match(html, /data-plotly-ready/);
  });

  it('notebook fragments: the loader carries the bundle once, each figure is a div plus a script that waits for Plotly', () => {
    const loader = plotlyLoaderHtml();
    assert.deepEqual(scriptTags(loader), ['<script>']);
    assert.ok(loader.includes(bundle.slice(-2000).replace(/<\/script/gi, '<\\/script')));
    const one = figureHtml(figure, { id: 'f1' });
    assert.deepEqual(scriptTags(one), ['<script>']);
    assert.match(one, /<div id="f1" class="rw-fig" style="width:100%;height:300px"><\/div>/);
    assert.equal(one.split('</script>').length - 1, 1);
    assert.ok(one.length < 2000, 'figures do not repeat the bundle');
    const two = figuresHtml([figure, figure]);
    const ids = [...two.matchAll(/<div id="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(ids.length, 2);
    assert.notEqual(ids[0], ids[1]);
  });
});
