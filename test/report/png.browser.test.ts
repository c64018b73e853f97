import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writePlotlyHtml } from '../../src/report/html';
import { DEFAULT_CHROMIUM, existingPngs, openPngRenderer, pngPath, type PngRenderer } from '../../src/report/png';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf: Buffer): { width: number; height: number } {
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe('report/png (real browser)', function () {
  this.timeout(120_000);
  let dir: string;
  let renderer: PngRenderer | undefined;

  before(async function () {
    if (!fs.existsSync(process.env.RADARWATCH_CHROMIUM ?? DEFAULT_CHROMIUM)) this.skip(); // no browser on this machine
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-png-'));
    renderer = await openPngRenderer({ width: 900 });
  });
  after(async () => {
    await renderer?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('renders one PNG per plot of a report page, replacing stale ones', async () => {
    const page = writePlotlyHtml(path.join(dir, 'AT', 'demo.html'), 'demo', [
      { data: [{ type: 'scatter', mode: 'lines', x: [1, 2, 3, 4], y: [2, 1, 4, 3] }], layout: { title: { text: 'lines' }, height: 400 } },
      { data: [{ type: 'bar', x: ['a', 'b'], y: [3, 5] }], layout: { title: { text: 'bars' }, height: 300 } },
    ]);
    fs.writeFileSync(pngPath(page, 3), 'stale');
    const files = await renderer!.render(page);
    assert.deepEqual(files, [pngPath(page, 1), pngPath(page, 2)]);
    assert.deepEqual(existingPngs(page), files, 'the stale third PNG is gone');
    const sizes = files.map((f) => {
      const buf = fs.readFileSync(f);
      assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${f} is a PNG`);
      assert.ok(buf.length > 2500, `${f} has content (${buf.length} bytes)`);
      return pngSize(buf);
    });
    // plots fill the page width (900 px minus margins) and keep their layout heights
    for (const s of sizes) assert.ok(s.width > 800 && s.width <= 900, `width ${s.width}`);
    assert.ok(Math.abs(sizes[0].height - 400) <= 2, `height ${sizes[0].height}`);
    assert.ok(Math.abs(sizes[1].height - 300) <= 2, `height ${sizes[1].height}`);
  });

  it('a page that would fetch from the network fails instead of rendering', async () => {
    const page = path.join(dir, 'cdn.html');
    fs.writeFileSync(page, '<!DOCTYPE html><html><head><script src="https://cdn.plot.ly/plotly-2.0.0.min.js"></script></head><body><div class="fig"></div></body></html>');
    await assert.rejects(renderer!.render(page), /did not render cleanly: blocked request to https:\/\/cdn\.plot\.ly/);
  });
});
