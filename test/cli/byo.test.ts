/**
 * Bring your own data, end to end through the CLI, on fixtures built here: a NAB-shaped 5-minute series (labels file
 * with two windows, one duplicated timestamp) and an hourly monitoring series (a repeated daylight-saving hour and a
 * Label column): import → train → calibrate → test → detect --json → serve /api/detect.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildProgram } from '../../src/cli/main';
import { parseConfig } from '../../src/config/load';
import { createDetectionService } from '../../src/detect/service';
import type { DetectResult } from '../../src/detect/types';
import { InputError } from '../../src/errors';
import { createApp } from '../../src/server/app';
import { listen } from '../../src/server/listen';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A seeded pseudo-random generator (mulberry32), so the fixtures are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
/** NAB writes `2014-04-01 00:02:00` (no zone = UTC). */
const nabTime = (ms: number) => iso(ms).replace('T', ' ').replace('Z', '');

interface Fixture {
  id: string;
  csv: string;
  labels?: string;
  stepMs: number;
  first: number;
  last: number;
  rows: number;
}

/** 14 days of 5-minute points (4,032 rows) at :02, :07, …; a spike and a drop, both in a labels file; row 1000 repeated. */
function nabSeries(dir: string): Fixture {
  const r = rng(42);
  const t0 = Date.UTC(2014, 3, 1, 0, 2);
  const n = 4032;
  const step = 5 * MIN;
  const spike = [2600, 2640];
  const drop = [3500, 3530];
  const lines = ['timestamp,value'];
  for (let i = 0; i < n; i++) {
    const t = t0 + i * step;
    let v = 50 + 20 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + 2 * (r() - 0.5);
    if (i >= spike[0] && i < spike[1]) v += 60;
    if (i >= drop[0] && i < drop[1]) v = 3;
    lines.push(`${nabTime(t)},${v.toFixed(4)}`);
    if (i === 1000) lines.push(`${nabTime(t)},${(v + 1).toFixed(4)}`);
  }
  const csv = path.join(dir, 'nab_like.csv');
  fs.writeFileSync(csv, lines.join('\n') + '\n');
  const labels = path.join(dir, 'nab_like.labels.csv');
  fs.writeFileSync(labels, ['start,end', ...[spike, drop].map(([a, b]) => `${iso(t0 + (a - 6) * step)},${iso(t0 + (b + 6) * step)}`)].join('\n') + '\n');
  return { id: 'nab_like', csv, labels, stepMs: step, first: t0, last: t0 + (n - 1) * step, rows: n };
}

/** Six weeks of hourly request rates with a Label column (an outage of 5 h) and the hour 2018-10-28T01:00Z twice. */
function hourlySeries(dir: string): Fixture {
  const r = rng(7);
  const t0 = Date.UTC(2018, 9, 1);
  const n = 6 * 7 * 24;
  const lines = ['TimeStamp,Value,Label'];
  for (let i = 0; i < n; i++) {
    const t = t0 + i * HOUR;
    const dow = new Date(t).getUTCDay();
    let v = (dow === 0 || dow === 6 ? 60 : 100) * (1 + 0.5 * Math.sin((2 * Math.PI * (t % DAY)) / DAY)) * (1 + 0.05 * (r() - 0.5));
    const outage = i >= 900 && i < 905;
    if (outage) v *= 0.05;
    lines.push(`"${iso(t)}","${v.toFixed(3)}","${outage ? 1 : 0}"`);
    if (iso(t) === '2018-10-28T01:00:00Z') lines.push(`"${iso(t)}","${(v * 1.01).toFixed(3)}","0"`);
  }
  const csv = path.join(dir, 'api-01.csv');
  fs.writeFileSync(csv, lines.join('\r\n') + '\r\n');
  return { id: 'ms_api01', csv, stepMs: HOUR, first: t0, last: t0 + (n - 1) * HOUR, rows: n };
}

describe('cli: bring your own data (import → train → calibrate → test → detect → serve)', function () {
  this.timeout(600_000);
  let dir: string;
  let cfgFile: string;
  let savedResults: string | undefined;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-byo-'));
    savedResults = process.env.RADARWATCH_RESULTS;
    process.env.RADARWATCH_RESULTS = path.join(dir, 'results');
    cfgFile = path.join(dir, 'models.yml');
    // Defaults everywhere except the folders: what a user gets.
    fs.writeFileSync(cfgFile, `countries: [AT]\ndateRange: { from: "2024-01-01", to: "2024-12-31" }\ndata:\n  rawDir: ${path.join(dir, 'raw')}\n  processedDir: ${path.join(dir, 'processed')}\n`);
  });
  after(() => {
    if (savedResults === undefined) delete process.env.RADARWATCH_RESULTS;
    else process.env.RADARWATCH_RESULTS = savedResults;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<{ out: string; error?: unknown }> {
    const { program, ctx } = buildProgram();
    const lines: string[] = [];
    ctx.out = (l) => lines.push(l);
    for (const c of [program, ...program.commands]) c.configureOutput({ writeErr: () => {} });
    try {
      await program.parseAsync(['node', 'radarwatch', '--config', cfgFile, ...args]);
      return { out: lines.join('\n') };
    } catch (error) {
      return { out: lines.join('\n'), error };
    }
  }
  const ok = async (args: string[]) => {
    const r = await cli(args);
    assert.equal(r.error, undefined, `radarwatch ${args.join(' ')} failed: ${(r.error as Error)?.message}\n${r.out}`);
    return r.out;
  };
  const calibration = (id: string) => JSON.parse(fs.readFileSync(path.join(dir, 'results', 'models', id, 'calibration.json'), 'utf8')) as { detector: string };
  const meta = (id: string) => JSON.parse(fs.readFileSync(path.join(dir, 'processed', `${id}.meta.json`), 'utf8'));

  for (const make of [nabSeries, hourlySeries]) {
    describe(make === nabSeries ? 'a NAB-shaped 5-minute series with a labels file' : 'an hourly series with a Label column and a repeated DST hour', () => {
      let fx: Fixture;
      before(() => {
        fx = make(dir);
      });

      it('when imported, then it keeps its own step, aggregates the duplicated timestamp and prints the rule per column', async () => {
        const args = ['import', fx.csv, '--id', fx.id, ...(fx.labels ? ['--labels', fx.labels] : [])];
        const out = await ok(args);
        const step = fx.stepMs === HOUR ? '1h' : '5m';
        assert.match(out, new RegExp(`step ${step} \\(median spacing of the timestamps`));
        assert.match(out, /(value|Value): volume, mean of the points in each/);
        assert.match(out, new RegExp(`wrote .*${fx.id}\\.csv; next: radarwatch train ${fx.id}`));
        const m = meta(fx.id);
        assert.equal(m.stepMs, fx.stepMs);
        assert.equal(m.rows, fx.rows, 'one row per step, the duplicate folded in');
        assert.deepEqual(m.signals, [fx.stepMs === HOUR ? 'Value' : 'value'], 'a Label column is never a signal');
        assert.ok(m.notes.includes('1 duplicate timestamp(s) aggregated'), JSON.stringify(m.notes));
        assert.equal(m.labelCount, fx.labels ? 2 : 1);
      });

      it('when trained, calibrated and tested by its id, then each command accepts the id like a country', async () => {
        assert.match(await ok(['train', fx.id, '--epochs', '3', '--workers', '1']), new RegExp(`^${fx.id}\\s+3\\s+`, 'm'));
        await ok(['calibrate', fx.id]);
        await ok(['test', fx.id]);
        assert.ok(fs.existsSync(path.join(dir, 'results', 'models', fx.id, 'calibration.json')));
        assert.ok(fs.existsSync(path.join(dir, 'results', 'testing', fx.id, 'metrics.json')));
        assert.equal(calibration(fx.id).detector, 'hybrid', 'a network trained on more than a week gives evidence');
        // the one labelled window in the test split (the last 20 %: the drop, or the outage) maps to its rows at the
        // series' own step, and the obvious anomaly is caught (labels at an hourly step would land in the training rows)
        const m = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'testing', fx.id, 'metrics.json'), 'utf8')) as { model: { labeledEvents: number; detectedEvents: number } };
        assert.deepEqual([m.model.labeledEvents, m.model.detectedEvents], [1, 1]);
      });

      it('when validated, then the id is accepted too', async () => {
        assert.match(await ok(['validate', fx.id]), new RegExp(`^${fx.id}: val loss`));
      });

      it('when detect --json runs over the whole series, then every row comes back at the native step, warm-up rows unscored', async () => {
        const out = await ok(['detect', fx.id, '--from', iso(fx.first), '--to', iso(fx.last + fx.stepMs), '--json']);
        const r = JSON.parse(out) as DetectResult & { hours: { timestamp: string; score: number | null; scorable?: boolean }[] };
        assert.equal(r.country, fx.id);
        assert.equal(r.hours.length, fx.rows);
        assert.equal(Date.parse(r.hours[1].timestamp) - Date.parse(r.hours[0].timestamp), fx.stepMs);
        assert.equal(r.hours[0].scorable, false);
        assert.equal(r.hours[0].score, null);
        assert.ok(r.hours[r.hours.length - 1].scorable !== false && typeof r.hours[r.hours.length - 1].score === 'number');
        // an event ends one step after its last anomalous row
        assert.ok(r.events.length > 0);
        const anomalous = new Set(r.hours.filter((h) => (h as { anomaly?: boolean }).anomaly).map((h) => Date.parse(h.timestamp)));
        for (const e of r.events) assert.ok(anomalous.has(Date.parse(e.end) - fx.stepMs), `${e.start}..${e.end} ends one step after an anomalous row`);
      });

      it('when served, then /api/detect answers for the id and /api/countries lists it', async () => {
        const cfg = parseConfig({ countries: ['AT'], dateRange: { from: '2024-01-01', to: '2024-12-31' }, data: { rawDir: path.join(dir, 'raw'), processedDir: path.join(dir, 'processed') } });
        const service = await createDetectionService(cfg, { countries: [fx.id] });
        const srv = await listen(createApp({ service, config: cfg }), { host: '127.0.0.1', port: 0 });
        try {
          const from = iso(fx.last + fx.stepMs - DAY);
          const res = await fetch(`${srv.url}/api/detect?country=${fx.id}&from=${from}&to=${iso(fx.last + fx.stepMs)}`);
          const body = (await res.json()) as DetectResult;
          assert.equal(res.status, 200, JSON.stringify(body));
          assert.equal(body.country, fx.id);
          assert.equal(body.hours.length, DAY / fx.stepMs);
          const list = (await (await fetch(`${srv.url}/api/countries`)).json()) as { countries: { code: string }[] };
          assert.deepEqual(list.countries.map((c) => c.code), [fx.id]);
          const bad = await fetch(`${srv.url}/api/detect?country=no%2Fsuch&date=2018-10-01`);
          assert.equal(bad.status, 400);
        } finally {
          await srv.close();
          await service.close?.();
        }
      });
    });
  }

  describe('both series at once', () => {
    it('when calibrated together, then worker threads write the same calibrations as one thread', async () => {
      const strip = (id: string) => {
        const c = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'models', id, 'calibration.json'), 'utf8'));
        delete c.createdAt;
        return c;
      };
      const ids = ['nab_like', 'ms_api01'];
      const table = await ok(['calibrate', ids.join(','), '--workers', '2']);
      for (const id of ids) assert.match(table, new RegExp(`^${id}\\s+hybrid`, 'm'));
      const pooled = ids.map(strip);
      await ok(['calibrate', ids.join(','), '--workers', '1']);
      assert.deepEqual(ids.map(strip), pooled);
    });
  });

  it('when a two-week series is trained NAB-style (--train-fraction 0.15), then calibrate leaves the network out and the seasonal rule scores it', async () => {
    const fx = nabSeries(dir);
    const id = 'nab_probation';
    await ok(['import', fx.csv, '--id', id, '--labels', fx.labels!]);
    await ok(['train', id, '--train-fraction', '0.15', '--epochs', '2', '--workers', '1']);
    const table = await ok(['calibrate', id]);
    assert.match(table, new RegExp(`^${id}\\s+seasonal\\s`, 'm'), table);
    assert.equal(calibration(id).detector, 'seasonal');
    const r = JSON.parse(await ok(['detect', id, '--from', iso(fx.last + fx.stepMs - DAY), '--to', iso(fx.last + fx.stepMs), '--json'])) as DetectResult;
    assert.equal(r.hours.length, DAY / fx.stepMs);
    assert.ok(r.hours.every((h) => typeof h.score === 'number' && h.score >= 0 && h.score <= 1));
  });

  it('when an id is unknown or malformed, then the error names the rule and the command that creates it', async () => {
    for (const cmd of ['train', 'validate', 'calibrate', 'test']) {
      const r = await cli([cmd, 'ms_api02']);
      assert.ok(r.error instanceof InputError, `${cmd}: ${(r.error as Error)?.message}`);
      assert.match((r.error as Error).message, /Unknown country or dataset "ms_api02".*radarwatch import FILE\.csv --id ms_api02/);
    }
    const bad = await cli(['detect', 'ms/api', '-d', '2018-10-01']);
    assert.match((bad.error as Error).message, /Invalid country or dataset id "ms\/api": expected a country code such as AT or the --id of an imported CSV, made of letters, digits, "_" or "-"/);
    const noModel = await cli(['detect', 'ms_api02', '-d', '2018-10-01']);
    assert.match((noModel.error as Error).message, /radarwatch train ms_api02/);
  });
});
