import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readProcessed, writeProcessed } from '../../src/data/processed';
import { processedPaths } from '../../src/data/paths';
import type { CountryFrame } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';
import { DataError } from '../../src/errors';

function frame(n = 72): CountryFrame {
  const t0 = Date.UTC(2024, 1, 28); // crosses the leap day
  const timestamps = Array.from({ length: n }, (_, i) => t0 + i * HOUR_MS);
  const labelKind = timestamps.map((_, i) => (i >= 10 && i < 13 ? 'outage' : i === 40 ? 'l7_attack' : ''));
  return {
    id: 'AT',
    timestamps,
    signalNames: ['http', 'bot_share', 'bgp_ips'],
    signalKinds: { http: 'volume', bot_share: 'rate', bgp_ips: 'count' },
    signals: {
      // Awkward floats (1/3, 1e-7, 0.1+0.2) must survive the CSV text exactly.
      http: Float64Array.from(timestamps, (_, i) => (i % 3 === 0 ? 1 / 3 : i === 5 ? 1e-7 : 0.1 + 0.2 + i / 97)),
      bot_share: Float64Array.from(timestamps, (_, i) => 30 + Math.sin(i) * 5),
      bgp_ips: Float64Array.from(timestamps, (_, i) => 123456 - (i > 60 ? 1000 : 0)),
    },
    gap: Uint8Array.from(timestamps, (_, i) => (i === 7 ? 1 : 0)),
    unreliable: Uint8Array.from(timestamps, (_, i) => (i >= 20 && i < 22 ? 1 : 0)),
    labelKind,
    labels: [
      { start: '2024-02-28T10:00:00Z', end: '2024-02-28T13:00:00Z', kind: 'outage', source: 'radar-outage', id: 'outage:1', description: 'cable cut' },
      { start: '2024-02-29T16:00:00Z', end: '2024-02-29T17:00:00Z', kind: 'l7_attack', source: 'synthetic' },
    ],
  };
}

describe('data/processed', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-processed-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const input = { source: 'synthetic', fill: { maxInterpolateHours: 3, rule: 'linear then seasonal' }, gapHours: { http: 1, bot_share: 0, bgp_ips: 0 } };

  it('write → read gives an identical frame, and meta describes it', async () => {
    const f = frame();
    const meta = writeProcessed(dir, f, input);
    const back = await readProcessed(dir, 'AT');
    assert.deepEqual(back, f);
    assert.equal(meta.rows, 72);
    assert.equal(meta.from, '2024-02-28');
    assert.equal(meta.to, '2024-03-01');
    assert.deepEqual(meta.labelsByKind, { outage: 1, l7_attack: 1 });
    assert.equal(meta.gapHoursAny, 1);
    assert.equal(meta.unreliableHours, 2);
    const csv = fs.readFileSync(processedPaths(dir, 'AT').csv, 'utf8').split('\n');
    assert.equal(csv[0], 'timestamp,http,bot_share,bgp_ips,gap,unreliable,label_kind');
    assert.match(csv[11], /^2024-02-28T10:00:00Z,.*,0,0,outage$/);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
  });

  it('keeps per-signal gap flags (gap_signals) and refuses ones that disagree with "gap"', async () => {
    const f = frame();
    const n = f.timestamps.length;
    f.signalGap = { http: Uint8Array.from({ length: n }, (_, i) => (i === 7 ? 1 : 0)), bot_share: Uint8Array.from({ length: n }, (_, i) => (i === 7 ? 1 : 0)), bgp_ips: new Uint8Array(n) };
    writeProcessed(dir, f, input);
    const p = processedPaths(dir, 'AT').csv;
    const lines = fs.readFileSync(p, 'utf8').split('\n');
    assert.equal(lines[0], 'timestamp,http,bot_share,bgp_ips,gap,gap_signals,unreliable,label_kind');
    assert.match(lines[8], /,1,http\|bot_share,0,$/);
    assert.deepEqual(await readProcessed(dir, 'AT'), f);
    fs.writeFileSync(p, lines.map((l, i) => (i === 3 ? l.replace(/,0,,0,$/, ',0,http,0,') : l)).join('\n'));
    await assert.rejects(readProcessed(dir, 'AT'), /row 3: column "gap_signals" \("http"\) disagrees with "gap" \(0\)/);
    fs.writeFileSync(p, lines.map((l, i) => (i === 8 ? l.replace('http|bot_share', 'http|meteor') : l)).join('\n'));
    await assert.rejects(readProcessed(dir, 'AT'), /row 8, column "gap_signals": "meteor" is not a signal/);
  });

  it('refuses to write a frame with unfilled gaps or broken spacing', () => {
    const f = frame();
    f.signals.http[4] = NaN;
    assert.throws(() => writeProcessed(dir, f, input), /signal "http" row 5 is NaN/);
    const g = frame();
    g.timestamps[3] += 1000;
    assert.throws(() => writeProcessed(dir, g, input), /row 4 .* not 1h after the previous row; expected a regular grid of step 1h/);
  });

  it('reports a missing table, missing columns, bad spacing and bad values, suggesting preprocess', async () => {
    await assert.rejects(readProcessed(dir, 'DE'), (e: unknown) => e instanceof DataError && /No processed table "DE".*radarwatch preprocess --countries DE/.test(e.message));
    writeProcessed(dir, frame(), input);
    const p = processedPaths(dir, 'AT').csv;
    const good = fs.readFileSync(p, 'utf8');
    const edit = async (fn: (lines: string[]) => string[], re: RegExp) => {
      fs.writeFileSync(p, fn(good.trimEnd().split('\n')).join('\n') + '\n');
      await assert.rejects(readProcessed(dir, 'AT'), (e: unknown) => e instanceof DataError && re.test(e.message) && /radarwatch preprocess/.test(e.message));
    };
    await edit((l) => l.map((x) => x.split(',').filter((_, i) => i !== 2).join(',')), /missing column\(s\) bot_share/);
    await edit((l) => l.filter((_, i) => i !== 5), /71 rows, but .*AT\.meta\.json says 72/);
    await edit((l) => [...l.slice(0, 5), l[5].replace('T04:00:00Z', 'T04:30:00Z'), ...l.slice(6)], /row 5: timestamp 2024-02-28T04:30:00Z is not 1h after 2024-02-28T03:00:00Z/);
    await edit((l) => [...l.slice(0, 5), l[5].replace(/^([^,]+),[^,]+/, '$1,abc'), ...l.slice(6)], /row 5, column "http": "abc" is not a finite number/);
    await edit((l) => [...l.slice(0, 3), l[3].replace(/,0,0,$/, ',2,0,'), ...l.slice(4)], /row 3, column "gap": "2" is not 0 or 1/);
    await edit((l) => [...l.slice(0, 3), l[3].replace(/,$/, ',meteor'), ...l.slice(4)], /row 3, column "label_kind": "meteor"/);
  });
});
