import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readCsvColumns, readCsvWindow, splitCsvLine } from '../../src/data/csv-rows';
import { sliceFrame } from '../../src/data/frame';
import { readProcessed, writeProcessed } from '../../src/data/processed';
import type { CountryFrame } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';

function frame(n = 200): CountryFrame {
  const t0 = Date.UTC(2024, 1, 27);
  const timestamps = Array.from({ length: n }, (_, i) => t0 + i * HOUR_MS);
  return {
    id: 'AT',
    timestamps,
    signalNames: ['http', 'bot_share'],
    signalKinds: { http: 'volume', bot_share: 'rate' },
    signals: {
      http: Float64Array.from(timestamps, (_, i) => (i % 3 === 0 ? 1 / 3 : 0.1 + 0.2 + i / 97)),
      bot_share: Float64Array.from(timestamps, (_, i) => 30 + Math.sin(i) * 5),
    },
    gap: Uint8Array.from(timestamps, (_, i) => (i === 7 ? 1 : 0)),
    unreliable: Uint8Array.from(timestamps, (_, i) => (i === 150 ? 1 : 0)),
    labelKind: timestamps.map((_, i) => (i >= 100 && i < 103 ? 'outage' : '')),
    labels: [{ start: '2024-03-02T04:00:00Z', end: '2024-03-02T07:00:00Z', kind: 'outage', source: 'synthetic' }],
  };
}

describe('data/csv-rows', () => {
  it('splitCsvLine: plain, quoted with commas, doubled quotes, empty fields', () => {
    const cases: [string, string[]][] = [
      ['a,b,c', ['a', 'b', 'c']],
      ['a,,c,', ['a', '', 'c', '']],
      ['"x,y",2', ['x,y', '2']],
      ['"say ""hi""",3', ['say "hi"', '3']],
      ['', ['']],
    ];
    for (const [line, want] of cases) assert.deepEqual(splitCsvLine(line), want, line);
  });

  it('readCsvColumns: BOM and CRLF dropped, empty lines skipped, short rows padded with "" for validation to report', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-csv-cols-'));
    try {
      const file = path.join(dir, 'x.csv');
      fs.writeFileSync(file, '\uFEFFtimestamp,a,b\r\n2024-01-01T00:00:00Z,1,"x,y"\r\n\r\n2024-01-01T01:00:00Z,2\r\n');
      const t = readCsvColumns(file);
      assert.deepEqual(t.columns, ['timestamp', 'a', 'b']);
      assert.deepEqual(t.column('a'), ['1', '2']);
      assert.deepEqual(t.column('b'), ['x,y', '']);
      assert.throws(() => t.column('c'), /no column "c"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('with a processed table', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-csv-rows-'));
      writeProcessed(dir, frame(), { source: 'synthetic', fill: { maxInterpolateHours: 3, rule: 'linear' }, gapHours: { http: 1, bot_share: 0 } });
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('readCsvWindow keeps exactly the rows whose timestamp is in [from, to)', () => {
      const t0 = Date.UTC(2024, 1, 27);
      const t = readCsvWindow(path.join(dir, 'AT.csv'), t0 + 10 * HOUR_MS, t0 + 13 * HOUR_MS);
      assert.deepEqual(t.columns, ['timestamp', 'http', 'bot_share', 'gap', 'unreliable', 'label_kind']);
      assert.deepEqual(t.column('timestamp'), ['2024-02-27T10:00:00Z', '2024-02-27T11:00:00Z', '2024-02-27T12:00:00Z']);
    });

    it('readProcessed with a window equals the same rows of the full read (values, flags, labels)', async () => {
      const full = await readProcessed(dir, 'AT');
      const t0 = full.timestamps[0];
      for (const [a, b] of [[0, 24], [90, 160], [180, 200], [50, 51]]) {
        const win = await readProcessed(dir, 'AT', { window: { fromMs: t0 + a * HOUR_MS, toMs: t0 + b * HOUR_MS } });
        assert.deepEqual(win, sliceFrame(full, a, b), `rows ${a}..${b}`);
      }
    });

    it('a window beyond the table is empty, not an error (callers check coverage)', async () => {
      const win = await readProcessed(dir, 'AT', { window: { fromMs: Date.UTC(2030, 0, 1), toMs: Date.UTC(2030, 0, 2) } });
      assert.equal(win.timestamps.length, 0);
    });
  });
});
