import { strict as assert } from 'assert';
import * as fs from 'fs';
import { loadConfig } from '../../../src/config/load';
import { BENCH_DATASETS, benchDataset, datasetsRoot } from '../../../src/evaluate/benchmark/datasets';
import { featureLocalTime, resolveFeatureCalendar } from '../../../src/features/categorical';
import { BENCH_DETECTORS, benchDetector } from '../../../src/evaluate/benchmark/detectors';
import type { BenchSeries } from '../../../src/evaluate/benchmark/types';

describe('evaluate/benchmark/datasets', () => {
  it('unknown data set and detector names throw and list the valid ones', () => {
    assert.throws(() => benchDataset('nope'), /Unknown data set "nope"\. Valid: gen-s1, .*nab/);
    assert.throws(() => benchDetector('nope'), /Unknown detector "nope"\. Valid: baseline, iforest, seasonal, autoencoder, hybrid$/);
    assert.ok(Object.isFrozen(BENCH_DATASETS) && Object.isFrozen(BENCH_DETECTORS));
  });

  it('the quick generator slice: one country, 80 % fit rows, labels inside', async () => {
    const [s] = await BENCH_DATASETS['gen-s1'].load({ quick: true, cfg: loadConfig() });
    const n = s.frame.timestamps.length;
    assert.equal(n, 180 * 24);
    assert.equal(s.fitEnd, Math.round(0.8 * n));
    assert.ok(s.frame.labels.length > 0);
    for (const sig of s.frame.signalNames) assert.ok(s.frame.signals[sig].every(Number.isFinite), sig);
  });

  it('the held-out generator worlds: other countries, labelled events in the scored part, longer anomalies in one than the other', async function () {
    this.timeout(120_000);
    const cfg = loadConfig();
    const meanHours = (series: BenchSeries[]) => {
      const ls = series.flatMap((s) => s.frame.labels);
      return ls.reduce((a, l) => a + (Date.parse(l.end) - Date.parse(l.start)), 0) / ls.length / 3_600_000;
    };
    const [long, short] = await Promise.all(['gen-noisy-long', 'gen-short-shallow'].map((d) => BENCH_DATASETS[d].load({ quick: false, cfg })));
    for (const world of [long, short]) {
      assert.equal(world.length, 4);
      for (const s of world) assert.ok(!cfg.countries.includes(s.name), `${s.name} is one of models.yml's countries`);
      const scored = world.reduce((a, s) => a + s.frame.labels.filter((l) => Date.parse(l.start) >= s.frame.timestamps[s.evalStart]).length, 0);
      assert.ok(scored >= 10, `${scored} labelled events in the scored part`);
    }
    assert.equal((await BENCH_DATASETS['gen-noisy-long'].load({ quick: true, cfg })).length, 0); // not in the quick slice
    assert.ok(meanHours(long) > 1.5 * meanHours(short), `${meanHours(long)} h vs ${meanHours(short)} h`);
  });

  it('gen-ramadan: four countries that observe Ramadan, one fasting month in the fitted part and one in the scored part, not in the quick slice', async function () {
    this.timeout(120_000);
    const cfg = loadConfig();
    const world = await BENCH_DATASETS['gen-ramadan'].load({ quick: false, cfg });
    assert.deepEqual(world.map((s) => s.name), ['EG', 'ID', 'TR', 'PK']);
    for (const s of world) {
      const { fasting } = featureLocalTime(resolveFeatureCalendar(s.name), s.frame.timestamps);
      const fitted = fasting.subarray(0, s.fitEnd).reduce((a, v) => a + v, 0);
      const scored = fasting.subarray(s.evalStart).reduce((a, v) => a + v, 0);
      assert.ok(fitted >= 28 * 24 && fitted <= 31 * 24, `${s.name}: ${fitted} fasting rows fitted`);
      assert.ok(scored >= 28 * 24 && scored <= 31 * 24, `${s.name}: ${scored} fasting rows scored`);
      assert.ok(!cfg.countries.includes(s.name));
    }
    assert.equal((await BENCH_DATASETS['gen-ramadan'].load({ quick: true, cfg })).length, 0);
  });

  it('NAB: native 5-minute step, fit on the probation, windows on the file rows', async function () {
    if (!fs.existsSync(datasetsRoot())) this.skip();
    const series = await BENCH_DATASETS.nab.load({ quick: true, cfg: loadConfig() });
    const jumps = series.find((s) => s.name.endsWith('art_daily_jumpsup'))!;
    assert.equal(jumps.frame.stepMs, 300_000);
    assert.equal(jumps.frame.timestamps.length, 4032);
    assert.equal(jumps.fitEnd, 604); // floor(0.15 · 4032)
    assert.deepEqual(jumps.nab!.windows, [[2787, 3189]]); // 2014-04-10 16:15 … 2014-04-12 01:45 inclusive (CSV lines 2789 and 3191)
  });
});
