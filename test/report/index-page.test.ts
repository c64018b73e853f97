import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderIndexPage, scanAnalyses, writeIndexPage } from '../../src/report/index-page';

describe('report/index-page', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-index-'));
    const put = (rel: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), 'x');
    };
    for (const f of ['AT/testing.html', 'AT/eda.html', 'AT/eda-1.png', 'AT/eda-2.png', 'AT/eda-10.png', 'AT/tuning.html', 'AT/tuning-1.png', 'DE/training.html', 'DE/notes.txt']) put(f);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('scans each country folder: pages in pipeline order, PNGs in plot order, configured countries without pages listed empty', () => {
    const entries = scanAnalyses(root, ['ZA', 'AT']);
    assert.deepEqual(entries.map((e) => e.country), ['AT', 'DE', 'ZA']);
    assert.deepEqual(entries[0].reports.map((r) => r.name), ['eda', 'tuning', 'testing']);
    assert.deepEqual(entries[0].reports[0].pngs, ['AT/eda-1.png', 'AT/eda-2.png', 'AT/eda-10.png']);
    assert.deepEqual(entries[0].reports[1].pngs, ['AT/tuning-1.png']);
    assert.deepEqual(entries[1].reports.map((r) => r.html), ['DE/training.html']);
    assert.deepEqual(entries[2].reports, []);
  });

  it('the page links every country\'s reports and PNGs, marks missing ones, and has no scripts', () => {
    const { file, entries } = writeIndexPage({ root, countries: ['ZA'] });
    assert.equal(file, path.join(root, 'index.html'));
    const html = fs.readFileSync(file, 'utf8');
    assert.equal(html, renderIndexPage(entries, { generatedAt: html.match(/generated ([^<]*)</)![1] }));
    for (const e of entries) {
      assert.match(html, new RegExp(`<tr data-country="${e.country}">`));
      for (const r of e.reports) {
        assert.ok(html.includes(`href="${r.html}"`), `${r.html} linked`);
        for (const p of r.pngs) assert.ok(html.includes(`href="${p}"`), `${p} linked`);
      }
    }
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(links.length, 4 + 4, 'AT: eda, tuning, testing pages + 4 PNGs; DE: training');
    for (const l of links) assert.ok(fs.existsSync(path.join(root, l)), `${l} exists`);
    // columns are the union of report kinds in pipeline order; ZA has none of them
    assert.match(html, /<th>eda<\/th><th>training<\/th><th>tuning<\/th><th>testing<\/th>/);
    assert.match(html, /<tr data-country="ZA"><th>ZA<br><small>South Africa<\/small><\/th>(<td class="none">—<\/td>){4}<\/tr>/);
    assert.doesNotMatch(html, /<script/i);
  });

  it('without any analyses it says which command to run', () => {
    assert.match(renderIndexPage([]), /radarwatch analyze eda all/);
  });
});
