import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../../src/config/load';
import { GENERIC_KIND } from '../../../src/evaluate/benchmark/csv';
import { measureSeries, poolSeries, qualityTable, runQuality, seedList, seedRuns, writeQuality } from '../../../src/evaluate/benchmark/run';
import { ConfigError } from '../../../src/errors';
import type { BenchSeries } from '../../../src/evaluate/benchmark/types';

function toy(): BenchSeries {
  const n = 100;
  const H = 3_600_000;
  const timestamps = Array.from({ length: n }, (_, i) => i * H);
  const labels = [{ start: new Date(60 * H).toISOString(), end: new Date(64 * H).toISOString(), kind: GENERIC_KIND, source: 'csv' as const }];
  const labelKind = timestamps.map((_, i) => (i >= 60 && i < 64 ? 'anomaly' : ''));
  const frame = { id: 'toy', timestamps, signalNames: ['value'], signalKinds: { value: 'volume' as const }, signals: { value: new Float64Array(n).fill(1) }, gap: new Uint8Array(n), unreliable: new Uint8Array(n), labelKind, labels };
  return { dataset: 'toy', name: 'toy', frame, fitEnd: 50, evalStart: 50 };
}

describe('evaluate/benchmark/run', () => {
  it('measures a series: events at the own threshold, recall at budgets, time to detect', () => {
    const s = toy();
    const score = Float64Array.from({ length: 100 }, (_, i) => (i === 62 ? 9 : i === 80 ? 5 : i / 100));
    const flagged = Uint8Array.from(score, (v) => (v > 4 ? 1 : 0));
    const m = measureSeries(s, { score, flagged, seconds: 0 }, loadConfig());
    assert.equal(m.evaluatedRows, 50);
    // 46 normal rows; 1 % → 0 rows above → threshold = 5 (row 80): row 62 (9) detects the window
    assert.deepEqual(m.budgets.map((b) => b.detected), [1, 1, 1]);
    assert.deepEqual([m.atThreshold.detected, m.atThreshold.predictedEvents, m.atThreshold.truePredictedEvents, m.atThreshold.falsePositiveRows], [1, 2, 1, 1]);
    assert.deepEqual(m.atThreshold.delaysHours, [2]);
    const p = poolSeries([{ ...m, seconds: 1 }]);
    assert.equal(p.precision, 0.5);
    assert.equal(p.recall, 1);
    assert.ok(Math.abs(p.f1 - 2 / 3) < 1e-12);
  });

  it('counts flags on rows Radar marks unreliable apart: they are not evaluated, but a user would get them', () => {
    const s = toy();
    for (let i = 70; i < 76; i++) s.frame.unreliable[i] = 1;
    const flagged = Uint8Array.from({ length: 100 }, (_, i) => (i === 62 || (i >= 72 && i < 75) ? 1 : 0));
    const m = measureSeries(s, { score: Float64Array.from(flagged), flagged, seconds: 0 }, loadConfig());
    assert.equal(m.evaluatedRows, 44);
    assert.deepEqual([m.atThreshold.falsePositiveRows, m.atThreshold.predictedEvents, m.atThreshold.unreliableRows, m.atThreshold.unreliableFlaggedRows], [0, 1, 6, 3]);
    const p = poolSeries([{ ...m, seconds: 1 }, { ...m, seconds: 1 }]);
    assert.equal(p.unreliableFlaggedShare, 0.5);
    assert.equal(p.precision, 1);
  });

  it('the quick slice runs every detector end to end (a learned one once per training seed) and writes quality.json / quality.md', async function () {
    this.timeout(300_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-quality-'));
    const prev = process.env.RADARWATCH_RESULTS;
    process.env.RADARWATCH_RESULTS = dir;
    try {
      const cfg = loadConfig();
      const r = await runQuality(cfg, { quick: true, detectors: ['baseline', 'iforest', 'seasonal', 'hybrid'], datasets: ['gen-s1', 'nab'], seeds: [cfg.train.seed, 3] });
      assert.deepEqual(Object.keys(r.results['gen-s1']), ['baseline', 'iforest', 'seasonal', 'hybrid', 'hybrid (seed 3)']);
      assert.deepEqual(r.seeds, [cfg.train.seed, 3]);
      assert.equal(r.results['gen-s1']['hybrid (seed 3)'].pooled.failedSeries, 0);
      const base = r.results['gen-s1'].baseline.pooled;
      assert.ok(base.events > 0 && Number.isFinite(base.recallAtFpr['0.01']));
      for (const d of ['seasonal', 'hybrid']) {
        const p = r.results['gen-s1'][d].pooled;
        assert.equal(p.failedSeries, 0, `${d} ran on every series`);
        assert.ok(Number.isFinite(p.recallAtFpr['0.01']) && p.recall > 0, `${d} detects something`);
      }
      if (r.results.nab) {
        const nab = r.results.nab.baseline.pooled.nab!;
        for (const p of Object.values(nab)) assert.ok(p.score <= 100 && p.score >= -1000, `${p.profile} ${p.score}`);
        // a network trained on a week or more starts from the data set's pooled base (rows before its scored part)
        const info = Object.fromEntries(r.results.nab.hybrid.series.map((x) => [x.series, x.info]));
        assert.match(String(info['realKnownCause/nyc_taxi']?.warmStart), /^pooled base \([23] series, \d+ rows/);
        assert.equal(info['artificialWithAnomaly/art_daily_jumpsup']?.warmStart, undefined, 'under a week: from scratch');
      }
      const files = writeQuality(r);
      assert.ok(JSON.parse(fs.readFileSync(files.json, 'utf8')).results['gen-s1']);
      assert.match(fs.readFileSync(files.md, 'utf8'), /\| gen-s1 \| baseline \|/);
      assert.match(qualityTable(r), /R@0\.25%/);
      // the spread over seeds beside the strongest detector that trains nothing
      assert.match(qualityTable(r), /Spread over training seeds 7, 3/);
      assert.match(qualityTable(r), /\| gen-s1 \| hybrid \| 2 \|/);
      assert.match(qualityTable(r), /\| gen-s1 \| best reference \| 3 detectors \|/);
      if (r.results.nab) assert.match(qualityTable(r), /\| nab \| hybrid \| 2 \|.*\| -?\d+\.\d( – -?\d+\.\d)? \|$/m, 'NAB\'s spread has its score');
      assert.doesNotMatch(qualityTable({ ...r, seeds: undefined }), /Spread over/);
    } finally {
      if (prev === undefined) delete process.env.RADARWATCH_RESULTS;
      else process.env.RADARWATCH_RESULTS = prev;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a detector that trains a network once per training seed, named by seed', () => {
    const cfg = loadConfig();
    assert.deepEqual(seedList(['7', '8', '-1']), [7, 8, -1]);
    assert.throws(() => seedList(['7', 'x']), (e: Error) => e instanceof ConfigError && /--seeds.*"x"/.test(e.message));
    assert.throws(() => seedList(['1e3']), ConfigError);
    assert.throws(() => seedList(['99999999999999999999']), ConfigError);
    assert.deepEqual(seedRuns({ name: 'seasonal' }, cfg, [1, 2]).map((x) => x.name), ['seasonal'], 'a detector that trains nothing runs once');
    const runs = seedRuns({ name: 'hybrid', learned: true }, cfg, [cfg.train.seed, 99, 99]);
    assert.deepEqual(runs.map((x) => x.name), ['hybrid', 'hybrid (seed 99)']);
    assert.deepEqual(runs.map((x) => x.cfg.train.seed), [cfg.train.seed, 99]);
    assert.deepEqual(seedRuns({ name: 'hybrid', learned: true }, cfg, undefined).map((x) => x.cfg), [cfg]);
  });
});
