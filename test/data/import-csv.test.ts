import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultImportRule, importCsv, parseUserTimestamp, readLabelsCsv, shareRangeOf, signalKindOf } from '../../src/data/import-csv';
import { readProcessed } from '../../src/data/processed';
import { HOUR_MS } from '../../src/base/time';
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
    assert.deepEqual(['error_rate', 'bot_share', 'cpu%', 'pct_ok', 'value'].map(shareRangeOf), [undefined, [0, 1], [0, 100], [0, 100], undefined]);
    assert.deepEqual(['value', 'Value', 'temperature', 'requests', 'total_bytes', 'bot_share'].map(defaultImportRule), ['mean', 'mean', 'mean', 'sum', 'sum', 'mean']);
  });

  it('keeps a 20-minute export at its own step, sums count columns, averages the rest, fills and flags gaps, places labels', async () => {
    // Points at :00, :20, :41 (jitter) of each hour for 5 days; hours 30-31 empty (6 steps of 20 m = 2 h ≤ 3 h).
    const lines = ['when,bytes,error_rate'];
    for (let h = 0; h < 120; h++) {
      if (h === 30 || h === 31) continue;
      for (const m of [0, 20, 41]) lines.push(`${(T0 + h * HOUR_MS + m * 60_000) / 1000},${h + m},${m === 0 ? 0.5 : 1}`);
    }
    [lines[1], lines[2]] = [lines[2], lines[1]]; // rows out of order are fine
    const file = csv('web.csv', lines);
    const labels = csv('labels.csv', ['start,end,kind', `${isoAt(T0 + 10 * HOUR_MS)},${isoAt(T0 + 12 * HOUR_MS)},l7_attack`]);
    const r = await importCsv(file, { id: 'web_eu-1', processedDir: out, labelsFile: labels });
    const f = r.frame;
    const S = 20 * 60_000;
    assert.equal(f.stepMs, S);
    assert.equal(r.meta.stepMs, S);
    assert.equal(f.timestamps.length, 360);
    assert.equal(f.timestamps[0], T0);
    assert.deepEqual(f.signalKinds, { bytes: 'volume', error_rate: 'rate' });
    assert.equal(f.signals.bytes[3 * 5 + 2], 5 + 41, 'the :41 point lands in the :40 step');
    assert.equal(f.signals.error_rate[3 * 5], 0.5);
    assert.deepEqual([...f.gap].flatMap((g, i) => (g ? [i] : [])), [90, 91, 92, 93, 94, 95]);
    assert.equal(f.signals.bytes[90], 29 + 41 + ((32 - (29 + 41)) * 1) / 7, 'interpolated between 29:40 and 32:00 (2 h ≤ 3 h)');
    assert.deepEqual([f.labelKind[29], f.labelKind[30], f.labelKind[35], f.labelKind[36]], ['', 'l7_attack', 'l7_attack', '']);
    assert.deepEqual(r.meta.gapHours, { bytes: 6, error_rate: 6 });
    assert.deepEqual(r.meta.resample, { bytes: '20m as received (sum if points share a step)', error_rate: '20m as received (mean if points share a step)' });
    assert.ok(r.report.some((l) => /^step 20m \(median spacing/.test(l)), r.report.join('\n'));
    assert.ok(r.report.some((l) => /^bytes: volume, sum/.test(l)) && r.report.some((l) => /^error_rate: rate, mean/.test(l)), r.report.join('\n'));
    assert.deepEqual(await readProcessed(out, 'web_eu-1'), f);
  });

  it('resamples to a given --step: a generic value by mean, a count by sum, --resample for every column', async () => {
    const lines = ['timestamp,value,requests'];
    for (let k = 0; k < 12 * 24 * 9; k++) lines.push(`${isoAt(T0 + k * 300_000)},${k % 12},${1}`);
    const file = csv('five.csv', lines);
    const r = await importCsv(file, { id: 'five', processedDir: out, step: '1h' });
    assert.equal(r.frame.stepMs, undefined, 'hourly frames leave stepMs out');
    assert.equal(r.meta.stepMs, HOUR_MS);
    assert.equal(r.frame.timestamps.length, 216);
    assert.equal(r.frame.signals.value[3], 5.5, 'a generic value: mean, so a temperature stays a temperature');
    assert.equal(r.frame.signals.requests[3], 12, 'a count: sum');
    assert.deepEqual(r.meta.resample, { value: 'mean per 1h', requests: 'sum per 1h' });
    const last = await importCsv(file, { id: 'five2', processedDir: out, step: '1h', resample: 'last' });
    assert.equal(last.frame.signals.value[3], 11);
    await fails(file, /Invalid resample rule "median"; expected one of mean, sum, last/, { resample: 'median' as never }, InputError);
    await fails(file, /--step: 7m does not divide a day/, { step: '7m' }, InputError);
    await fails(file, /--step: "fast" is not a step; expected a number and a unit/, { step: 'fast' }, InputError);
    await fails(file, /--step: 2d is out of range; expected a step from 1m to 1d/, { step: '2d' }, InputError);
  });

  it('aggregates duplicate timestamps (a repeated daylight-saving hour) with a counted warning', async () => {
    const rows = hourly('TimeStamp,Value', 24 * 9, (i, ts) => `${ts},${i}`);
    rows.splice(51, 0, `${isoAt(T0 + 49 * HOUR_MS)},100`); // hour 49 twice: 49 and 100
    const r = await importCsv(csv('dst.csv', rows), { id: 'dst', processedDir: out });
    assert.equal(r.frame.timestamps.length, 216);
    assert.equal(r.frame.signals.Value[49], (49 + 100) / 2);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /^1 row\(s\) repeat an earlier timestamp \(first: row 50 \(line 51\) and row 51 \(line 52\) at 2024-05-03T01:00:00Z\); aggregated by each column's rule \(Value=mean\)/);
    assert.ok(r.meta.notes!.includes('1 duplicate timestamp(s) aggregated'));
  });

  it('takes a Label column as point labels (label windows, never a signal)', async () => {
    const rows = hourly('timestamp,value,Label', 24 * 9, (i, ts) => `${ts},${10 + (i % 24)},${[30, 31, 32, 90].includes(i) ? 1 : 0}`);
    const r = await importCsv(csv('lab.csv', rows), { id: 'lab', processedDir: out });
    assert.deepEqual(r.frame.signalNames, ['value']);
    assert.deepEqual(
      r.frame.labels.map((l) => [l.start, l.end, l.kind]),
      [
        [isoAt(T0 + 30 * HOUR_MS).replace('.000', ''), isoAt(T0 + 33 * HOUR_MS).replace('.000', ''), 'outage'],
        [isoAt(T0 + 90 * HOUR_MS).replace('.000', ''), isoAt(T0 + 91 * HOUR_MS).replace('.000', ''), 'outage'],
      ],
    );
    assert.deepEqual([29, 30, 32, 33, 90].map((i) => r.frame.labelKind[i]), ['', 'outage', 'outage', '', 'outage']);
    assert.ok(r.report.some((l) => /labels: column "Label" \(4 marked rows\) → 2 window\(s\)/.test(l)));
    for (const name of ['is_anomaly', 'ANOMALY']) {
      const x = await importCsv(csv(`${name}.csv`, hourly(`timestamp,value,${name}`, 24 * 9, (i, ts) => `${ts},${i},${i === 5 ? 'true' : ''}`)), { id: `l_${name}`, processedDir: out });
      assert.deepEqual(x.frame.signalNames, ['value']);
      assert.equal(x.frame.labels.length, 1);
    }
    await fails(csv('badlab.csv', hourly('timestamp,value,label', 24 * 9, (i, ts) => `${ts},${i},${i === 7 ? 'maybe' : 0}`)), /label column "label", row 8 \(line 9\): "maybe" is not a label; expected 1 \(anomalous\), 0 \(normal\) or empty/);
  });

  it('warns when more than 20 % of a column was filled, and about a constant column', async () => {
    const rows = hourly('timestamp,value,flat', 24 * 9, (i, ts) => `${ts},${i % 3 === 0 || i === 24 * 9 - 1 ? i : ''},0`);
    const r = await importCsv(csv('holes.csv', rows), { id: 'holes', processedDir: out });
    assert.ok(r.warnings.some((w) => /column "value": 143 of 216 steps \(66 %\) had no data and were filled \(more than 20 %\)/.test(w)), r.warnings.join('\n'));
    assert.ok(r.warnings.some((w) => /column "flat" is constant \(0 everywhere\)/.test(w)), r.warnings.join('\n'));
  });

  it('refuses absurd values, naming the column, the row and what is allowed', async () => {
    const base = (header: string, cell: (i: number) => string) => hourly(header, 24 * 9, (i, ts) => `${ts},${cell(i)}`);
    await fails(csv('inf.csv', base('timestamp,value', (i) => (i === 9 ? 'Infinity' : String(i)))), /column "value", row 10 \(line 11\): "Infinity" is not a finite number; expected a finite numeric value/);
    await fails(csv('nan.csv', base('timestamp,value', (i) => (i === 9 ? 'NaN' : String(i)))), /column "value", row 10 \(line 11\): "NaN" is not a finite number/);
    await fails(csv('huge.csv', base('timestamp,value', (i) => (i === 3 ? '1e308' : String(i)))), /column "value", row 4 \(line 5\): 1e308 is too large; expected values of magnitude at most 1e\+150/); // (so no sum of a step can overflow either)
    await fails(csv('neg.csv', base('timestamp,requests', (i) => (i === 4 ? '-5' : String(i)))), /column "requests", row 5 \(line 6\): -5 is negative; the name says it is a volume or count, which must be ≥ 0/);
    await fails(csv('share.csv', base('timestamp,bot_share', (i) => (i === 6 ? '95' : '0.5'))), /column "bot_share", row 7 \(line 8\): 95 is outside \[0, 1\]; the name says it is a share.*name it with pct or %/);
    await fails(csv('pct.csv', base('timestamp,cpu_pct', (i) => (i === 6 ? '110' : '50'))), /column "cpu_pct", row 7 \(line 8\): 110 is outside \[0, 100\]; the name says it is a percentage/);
    const ok = await importCsv(csv('pctok.csv', base('timestamp,cpu_pct', () => '99')), { id: 'pctok', processedDir: out });
    assert.equal(ok.frame.signalKinds.cpu_pct, 'rate');
    // A generic column with negative values (a temperature) is kept on its own scale.
    const temp = await importCsv(csv('temp.csv', base('timestamp,value', (i) => String(i - 20))), { id: 'temp', processedDir: out });
    assert.equal(temp.frame.signalKinds.value, 'rate');
  });

  it('refuses a span that would create more than 10× the input rows, naming the suspicious row', async () => {
    const rows = hourly('timestamp,value', 240, (i, ts) => `${ts},${i}`);
    rows[200] = `2200-01-01T00:00:00Z,1`;
    await fails(csv('span.csv', rows), /240 rows span .* more than 10× the input; .*Check the timestamp of row 200 \(line 201\) \("2200-01-01T00:00:00Z"\)/);
  });

  it('checks the length at import, saying how much is needed and why', async () => {
    await fails(csv('short.csv', hourly('timestamp,value', 150, (i, ts) => `${ts},${i}`)), /150 data rows; a series needs at least 4 days and 200 rows, because the features need up to one day of history/);
    // 300 rows, but every minute: 5 hours is too short.
    await fails(csv('brief.csv', ['timestamp,value', ...Array.from({ length: 300 }, (_, i) => `${isoAt(T0 + i * 60_000)},${i}`)]), /the data spans 0\.2 days \(300 rows of 1m, .*\); a series needs at least 4 days and 200 rows/);
  });

  it('refuses a CSV without a timestamp column, listing the columns and the accepted names', async () => {
    const f = csv('nots.csv', hourly('host,bytes', 250, (i) => `web-${i},${i}`));
    await fails(f, /no timestamp column\. Columns: "host", "bytes"\. Expected a column named timestamp, time, date, datetime, ts/);
  });

  it('names the row, value and accepted formats of an unparsable timestamp', async () => {
    const f = csv('badts.csv', hourly('timestamp,bytes', 250, (i, ts) => `${i === 16 ? '2024-13-01' : ts},${i}`));
    await fails(f, /row 17 \(line 18\): timestamp "2024-13-01" in column "timestamp" is not a time; expected ISO-8601 .* or epoch seconds \/ milliseconds/);
  });

  it('names column, row and value of a non-numeric cell', async () => {
    const f = csv('badval.csv', hourly('timestamp,bytes', 250, (i, ts) => `${ts},${i === 9 ? 'n/a' : i}`));
    await fails(f, /column "bytes", row 10 \(line 11\): "n\/a" is not a number/);
  });

  it('calls a column without numbers unknown and says to drop or rename it', async () => {
    const f = csv('text.csv', hourly('timestamp,bytes,host', 250, (i, ts) => `${ts},${i},web-1`));
    await fails(f, /unknown column "host" \(first value "web-1"\): expected numeric .*drop it or rename it/);
  });

  it('refuses bad ids (by the one id rule, and country codes), reserved names and missing files', async () => {
    const ok = csv('ok.csv', hourly('timestamp,bytes', 250, (i, ts) => `${ts},${i}`));
    await fails(ok, /Invalid --id "a\/b": expected letters, digits/, { id: 'a/b' }, InputError);
    await fails(ok, /Invalid --id "at": it is a country code/, { id: 'at' }, InputError);
    await fails(path.join(dir, 'nope.csv'), /CSV file not found/, {}, InputError);
    await fails(csv('reserved.csv', hourly('timestamp,gap', 250, (i, ts) => `${ts},${i}`)), /column name "gap" cannot be a signal/);
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
