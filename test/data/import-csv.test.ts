import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { importCsv, parseUserTimestamp, readLabelsCsv, signalKindOf } from '../../src/data/import-csv';
import { readProcessed } from '../../src/data/processed';
import { HOUR_MS } from '../../src/data/types';
import { DataError, InputError } from '../../src/errors';

const T0 = Date.UTC(2024, 4, 1);
const isoAt = (ms: number) => new Date(ms).toISOString();

describe('data/import-csv', () => {
  let dir: string;
  let out: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-import-'));
    out = path.join(dir, 'processed');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const csv = (name: string, lines: string[]) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, lines.join('\n') + '\n');
    return f;
  };
  /** `n` hourly rows: header + `row(i)`. */
  const hourly = (header: string, n: number, row: (i: number, ts: string) => string) => [header, ...Array.from({ length: n }, (_, i) => row(i, isoAt(T0 + i * HOUR_MS)))];
  const fails = async (file: string, re: RegExp, opts: Partial<Parameters<typeof importCsv>[1]> = {}, type: Function = DataError) =>
    assert.rejects(importCsv(file, { id: 'x', processedDir: out, ...opts }), (e: unknown) => {
      assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error).name}: ${(e as Error).message}`);
      assert.match((e as Error).message, re);
      return true;
    });

  it('parses ISO-8601 and epoch seconds/ms, and names rates vs volumes', () => {
    assert.equal(parseUserTimestamp('2024-05-01T13:00:00Z'), T0 + 13 * HOUR_MS);
    assert.equal(parseUserTimestamp('2024-05-01 13:00'), T0 + 13 * HOUR_MS);
    assert.equal(parseUserTimestamp('2024-05-01T15:00:00+02:00'), T0 + 13 * HOUR_MS);
    assert.equal(parseUserTimestamp('2024-05-01'), T0);
    assert.equal(parseUserTimestamp(String(T0 / 1000)), T0);
    assert.equal(parseUserTimestamp(String(T0)), T0);
    for (const bad of ['2024-13-01', '2024-02-30', 'yesterday', '42', '']) assert.ok(Number.isNaN(parseUserTimestamp(bad)), bad);
    assert.deepEqual(['error_rate', 'bot_share', 'cpu%', 'hitRatio', 'pct_ok', 'bytes', 'bitrate', 'requests'].map(signalKindOf), ['rate', 'rate', 'rate', 'rate', 'rate', 'volume', 'volume', 'volume']);
  });

  it('imports an irregular sub-hourly export: sums volumes, averages rates, fills and flags empty hours, places labels', async () => {
    // Points at :00, :20, :40 of each hour (irregular last minute jitter), 72 hours, hours 30-31 empty.
    const lines = ['when,bytes,error_rate'];
    for (let h = 0; h < 72; h++) {
      if (h === 30 || h === 31) continue;
      for (const m of [0, 20, 41]) lines.push(`${(T0 + h * HOUR_MS + m * 60_000) / 1000},${h + m},${m === 0 ? 0.5 : 1}`);
    }
    // Rows out of order are fine.
    [lines[1], lines[2]] = [lines[2], lines[1]];
    const file = csv('web.csv', lines);
    const labels = csv('labels.csv', ['start,end,kind', `${isoAt(T0 + 10 * HOUR_MS)},${isoAt(T0 + 12 * HOUR_MS)},l7_attack`, `2024-05-02T05:30:00Z,2024-05-02T06:00:00Z,`]);
    const r = await importCsv(file, { id: 'web_eu-1', processedDir: out, labelsFile: labels });
    const f = r.frame;
    assert.equal(f.timestamps.length, 72);
    assert.equal(f.timestamps[0], T0);
    assert.deepEqual(f.signalNames, ['bytes', 'error_rate']);
    assert.deepEqual(f.signalKinds, { bytes: 'volume', error_rate: 'rate' });
    assert.equal(f.signals.bytes[5], 3 * 5 + 0 + 20 + 41, 'volume: sum of the hour');
    assert.ok(Math.abs(f.signals.error_rate[5] - 2.5 / 3) < 1e-12, 'rate: mean of the hour');
    // Hours 30-31 (2 h ≤ 3) are interpolated between hours 29 and 32.
    assert.equal(f.signals.bytes[30], 3 * 29 + 61 + (3 * 32 + 61 - (3 * 29 + 61)) / 3);
    assert.deepEqual([...f.gap].flatMap((g, i) => (g ? [i] : [])), [30, 31]);
    assert.deepEqual([f.labelKind[9], f.labelKind[10], f.labelKind[11], f.labelKind[12], f.labelKind[29]], ['', 'l7_attack', 'l7_attack', '', 'outage']);
    assert.equal(r.meta.source, 'csv');
    assert.deepEqual(r.meta.gapHours, { bytes: 2, error_rate: 2 });
    assert.deepEqual(r.meta.resample, { bytes: 'sum per hour', error_rate: 'mean per hour' });
    assert.deepEqual(await readProcessed(out, 'web_eu-1'), f);
  });

  it('--resample overrides the per-kind rule for every column', async () => {
    const lines = ['timestamp,bytes'];
    for (let k = 0; k < 60 * 2; k++) lines.push(`${isoAt(T0 + k * 1_800_000)},${k}`);
    const r = await importCsv(csv('half.csv', lines), { id: 'half', processedDir: out, resample: 'last' });
    assert.equal(r.frame.timestamps.length, 60);
    assert.equal(r.frame.signals.bytes[3], 7);
    await fails(csv('half2.csv', lines), /Invalid resample rule "median"; expected one of mean, sum, last/, { resample: 'median' as never }, InputError);
  });

  it('refuses a CSV without a timestamp column, listing the columns and the accepted names', async () => {
    const f = csv('nots.csv', hourly('host,bytes', 50, (i) => `web-${i},${i}`));
    await fails(f, /no timestamp column\. Columns: "host", "bytes"\. Expected a column named timestamp, time, date, datetime, ts/);
  });

  it('names the row, value and accepted formats of an unparsable timestamp', async () => {
    const f = csv('badts.csv', hourly('timestamp,bytes', 50, (i, ts) => `${i === 16 ? '2024-13-01' : ts},${i}`));
    await fails(f, /row 17 \(line 18\): timestamp "2024-13-01" in column "timestamp" is not a time; expected ISO-8601 .* or epoch seconds \/ milliseconds/);
  });

  it('names column, row and value of a non-numeric cell', async () => {
    const f = csv('badval.csv', hourly('timestamp,bytes', 50, (i, ts) => `${ts},${i === 9 ? 'n/a' : i}`));
    await fails(f, /column "bytes", row 10 \(line 11\): "n\/a" is not a number/);
  });

  it('calls a column without numbers unknown and says to drop or rename it', async () => {
    const f = csv('text.csv', hourly('timestamp,bytes,host', 50, (i, ts) => `${ts},${i},web-1`));
    await fails(f, /unknown column "host" \(first value "web-1"\): expected numeric .*drop it or rename it/);
  });

  it('refuses duplicate timestamps, fewer than 48 rows, bad ids and missing files', async () => {
    await fails(csv('dup.csv', hourly('timestamp,bytes', 50, (i) => `${isoAt(T0 + Math.min(i, 20) * HOUR_MS)},${i}`)), /rows 21 and 22 have the same timestamp 2024-05-01T20:00:00Z/);
    await fails(csv('short.csv', hourly('timestamp,bytes', 47, (i, ts) => `${ts},${i}`)), /47 data rows; expected at least 48/);
    // 48 rows, but every 10 minutes: 8 hours is too short for a table.
    await fails(csv('span.csv', ['timestamp,bytes', ...Array.from({ length: 48 }, (_, i) => `${isoAt(T0 + i * 600_000)},${i}`)]), /spans 8 hours .* expected at least 48 hours/);
    await fails(csv('ok.csv', hourly('timestamp,bytes', 48, (i, ts) => `${ts},${i}`)), /Invalid --id "a\/b"/, { id: 'a/b' }, InputError);
    await fails(path.join(dir, 'nope.csv'), /CSV file not found/, {}, InputError);
    await fails(csv('reserved.csv', hourly('timestamp,gap', 48, (i, ts) => `${ts},${i}`)), /column name "gap" cannot be a signal/);
  });

  it('validates label files: columns, kinds, start < end', async () => {
    await assert.rejects(readLabelsCsv(csv('l1.csv', ['from,to', '2024-05-01,2024-05-02'])), /labels need columns start,end\[,kind\]; found "from", "to"/);
    await assert.rejects(readLabelsCsv(csv('l2.csv', ['start,end,kind', '2024-05-01,2024-05-02,meteor'])), (e: unknown) => e instanceof DataError && /row 1: kind "meteor" is unknown; allowed kinds: outage, partial_outage, l3_ddos, l7_attack, bot_surge, traffic_surge, routing_change/.test(e.message));
    await assert.rejects(readLabelsCsv(csv('l3.csv', ['start,end', '2024-05-01,2024-05-02', '2024-05-03T05:00Z,2024-05-03T05:00Z'])), /row 2: start .* is not before end/);
    await assert.rejects(readLabelsCsv(csv('l4.csv', ['start,end', 'soon,2024-05-02'])), /row 1: start "soon" is not a time/);
    const ok = await readLabelsCsv(csv('l5.csv', ['Start,End', '2024-05-01,2024-05-02']));
    assert.deepEqual(ok, [{ start: '2024-05-01T00:00:00Z', end: '2024-05-02T00:00:00Z', kind: 'outage', source: 'csv', id: 'csv:1' }]);
  });
});
