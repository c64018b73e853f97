import { strict as assert } from 'assert';
import { checkFeatureSpec, defaultFitExclusion, featureHistoryRows, fitFeatureSpec, FEATURE_SPEC_VERSION } from '../../src/features/spec';
import { featuresSchema } from '../../src/config/schema';
import { DataError, InputError, NotFittedError } from '../../src/errors';
import { cloneFrame, makeFrame } from './fixtures';

const cfg = featuresSchema.parse({ baselineWeeks: 1 });

describe('features/spec', () => {
  const frame = makeFrame('AT', 168 * 8);
  const train = { start: 168, end: 168 * 5 };

  it('describes itself: version, id, signals with kinds, feature names, config, calendar and fitted range', () => {
    const spec = fitFeatureSpec(frame, train, cfg);
    assert.equal(spec.version, FEATURE_SPEC_VERSION);
    assert.equal(spec.id, 'AT');
    assert.deepEqual(spec.signals.map((s) => [s.name, s.kind, s.transform.name]), [
      ['http', 'volume', 'log'], ['netflows', 'volume', 'log'], ['l3', 'volume', 'log'], ['l7', 'volume', 'log'], ['bot_share', 'rate', 'logit'], ['bgp_ips', 'count', 'log'],
    ]);
    assert.equal(spec.contNames.length, 6 * 11);
    assert.deepEqual(spec.contNames.slice(0, 11), ['http.level', 'http.mean3', 'http.mean24', 'http.mean168', 'http.std3', 'http.std24', 'http.std168', 'http.z3', 'http.z24', 'http.z168', 'http.resid']);
    assert.deepEqual(spec.config, cfg);
    assert.deepEqual(spec.calendar, { timezone: 'Europe/Vienna', weekend: [6, 7], holidayCountry: 'AT' });
    assert.equal(spec.warmupRows, 168);
    assert.equal(featureHistoryRows(spec), 168);
    assert.deepEqual(spec.fit, { from: new Date(frame.timestamps[168]).toISOString(), to: new Date(frame.timestamps[840]).toISOString(), rows: 672, usedRows: 504 });
    assert.ok(spec.scaler.scale.every((s) => s > 0 && Number.isFinite(s)));
  });

  it('does not change when rows outside the training slice change (before or after it)', () => {
    const a = fitFeatureSpec(frame, train, cfg);
    const other = cloneFrame(frame);
    for (const s of other.signalNames) {
      for (let i = 0; i < train.start; i++) other.signals[s][i] *= 7;
      for (let i = train.end; i < other.timestamps.length; i++) other.signals[s][i] = 0;
    }
    other.labelKind[0] = 'outage';
    assert.deepEqual(fitFeatureSpec(other, train, cfg), a);
  });

  it('ignores excluded rows: changing them leaves the spec unchanged, including them changes it', () => {
    // Excluded hours at the end of the slice: no included row's rolling window reaches them.
    const exclude = new Uint8Array(frame.timestamps.length);
    for (let i = train.end - 60; i < train.end; i++) exclude[i] = 1;
    const a = fitFeatureSpec(frame, train, cfg, { exclude });
    const other = cloneFrame(frame);
    for (let i = train.end - 60; i < train.end; i++) for (const s of other.signalNames) other.signals[s][i] = i % 2 ? 0 : 1e4;
    assert.deepEqual(fitFeatureSpec(other, train, cfg, { exclude }), a);
    assert.notDeepEqual(fitFeatureSpec(other, train, cfg, { exclude: new Uint8Array(frame.timestamps.length) }).scaler, a.scaler, 'included, the garbage rows would move the scaler');
  });

  it('keeps excluded hours in mid-slice out of the level transform and the hour-of-week profile', () => {
    // Later rows' rolling windows still see them (as the model will), so only the row-wise statistics are compared.
    const exclude = new Uint8Array(frame.timestamps.length);
    for (let i = 400; i < 460; i++) exclude[i] = 1;
    const a = fitFeatureSpec(frame, train, cfg, { exclude });
    const other = cloneFrame(frame);
    for (let i = 400; i < 460; i++) for (const s of other.signalNames) other.signals[s][i] = i % 2 ? 0 : 1e4;
    const b = fitFeatureSpec(other, train, cfg, { exclude });
    assert.deepEqual(b.signals.map((s) => [s.transform, s.baseline]), a.signals.map((s) => [s.transform, s.baseline]));
    const c = fitFeatureSpec(other, train, cfg, { exclude: new Uint8Array(frame.timestamps.length) });
    assert.notDeepEqual(c.signals.map((s) => s.baseline), a.signals.map((s) => s.baseline));
  });

  it('excludes gaps, unreliable hours and labelled anomalies by default', () => {
    const f = cloneFrame(frame);
    f.gap[1] = 1;
    f.unreliable[2] = 1;
    f.labelKind[3] = 'outage';
    assert.deepEqual([...defaultFitExclusion(f).slice(0, 5)], [0, 1, 1, 1, 0]);
  });

  it('rejects a bad range, too few usable rows and a damaged or missing spec, saying what to do', () => {
    assert.throws(() => fitFeatureSpec(frame, { start: 10, end: 5 }, cfg), InputError);
    // 90 rows: the warm-up is capped at a third (30 rows), leaving 60 usable rows < 64
    assert.throws(() => fitFeatureSpec(frame, { start: 0, end: 90 }, cfg), (e: unknown) => e instanceof DataError && /leave 60 usable rows after 30 warm-up rows.*need at least 64\. Train on a longer series/.test(e.message));
    assert.doesNotThrow(() => fitFeatureSpec(frame, { start: 0, end: 100 }, cfg));
    const spec = fitFeatureSpec(frame, train, cfg);
    assert.throws(() => checkFeatureSpec({ ...spec, version: 0 }), (e: unknown) => e instanceof DataError && /version 0.*Retrain/.test(e.message));
    assert.throws(() => checkFeatureSpec({ ...spec, contNames: spec.contNames.slice(1) }), DataError);
    assert.throws(() => checkFeatureSpec(undefined), NotFittedError);
  });
});
