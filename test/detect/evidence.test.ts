import { strict as assert } from 'assert';
import { AE_CAP_DECADES, checkEvidenceModel, combineStreams, computeStreams, fitEvidenceModel, jointEvidence, streamName, type StreamKey, type Streams } from '../../src/detect/evidence';
import { fitTail, tailEvidence } from '../../src/calibrate/tail';
import type { SeasonalZ } from '../../src/detect/seasonal';

describe('detect/evidence (streams)', () => {
  const n = 48;
  const seasonal: SeasonalZ = {
    signals: ['http', 'bgp_ips'],
    references: ['similar', 'similar'],
    kinds: ['volume', 'count'],
    z: [new Float64Array(n).fill(0.5), new Float64Array(n).fill(0.5)],
    levels: [new Float64Array(n), new Float64Array(n)],
    dayType: new Uint8Array(n),
    shift: new Uint8Array(n),
  };
  const errors = { http: new Float64Array(n).fill(0.01), bgp_ips: new Float64Array(n).fill(0.01) };

  it('gives a count (announced space) only its per-step seasonal stream, and no autoencoder stream', () => {
    const s = computeStreams(seasonal, errors, [1, 3, 12], 0);
    const names = s.keys.map(streamName);
    assert.deepEqual(names.filter((x) => x.includes('bgp_ips')), ['seasonal/bgp_ips/similar/1']);
    assert.ok(names.includes('autoencoder/http/1') && names.includes('autoencoder/http/3'));
    assert.ok(!names.some((x) => x.startsWith('autoencoder/bgp_ips')));
  });

  it('keeps the autoencoder streams of every signal when the network is the only source', () => {
    const alone: SeasonalZ = { signals: [], references: [], kinds: [], z: [], levels: [], dayType: new Uint8Array(n), shift: new Uint8Array(n) };
    const names = computeStreams(alone, errors, [1, 3, 12], 0).keys.map(streamName);
    assert.deepEqual(names.sort(), ['autoencoder/bgp_ips/1', 'autoencoder/bgp_ips/3', 'autoencoder/http/1', 'autoencoder/http/3']);
  });
});

describe('detect/evidence (combination)', () => {
  // Every stream's tail is fitted on the same normal values 0 … 0.99, so evidence is a known function of a value.
  const normal = Array.from({ length: 100 }, (_, i) => i / 100);
  const tail = fitTail(normal);
  const ev = (x: number) => tailEvidence(tail, x);
  const key = (source: StreamKey['source'], signal: string): StreamKey => ({ source, signal, window: 1 });
  const streamsOf = (cols: [StreamKey, number[]][]): Streams => ({ keys: cols.map((c) => c[0]), values: cols.map((c) => Float64Array.from(c[1])), direction: {} });

  it('caps a signal\'s autoencoder evidence at AE_CAP_DECADES above the seasonal rule\'s on that signal', () => {
    // row 0: the rule sees nothing, the network a huge error; row 1: the rule sees a strong anomaly too
    const s = streamsOf([
      [key('seasonal', 'http'), [0.5, 3]],
      [key('autoencoder', 'http'), [50, 50]],
    ]);
    const c = combineStreams(s, [tail, tail], AE_CAP_DECADES);
    assert.ok(ev(50) > ev(3) + AE_CAP_DECADES, 'the uncapped network evidence is far above the cap');
    assert.ok(Math.abs(c.evidence[0] - (ev(0.5) + AE_CAP_DECADES)) < 1e-9);
    assert.ok(Math.abs(c.evidence[1] - (ev(3) + AE_CAP_DECADES)) < 1e-9);
    assert.deepEqual(Array.from(c.bySignal.http), Array.from(c.evidence));
    // without a cap the network's evidence stands
    assert.ok(Math.abs(combineStreams(s, [tail, tail], Infinity).evidence[0] - ev(50)) < 1e-9);
  });

  it('lets one signal carry the row whatever the others say, and never lets a signal without values hide it', () => {
    const s = streamsOf([
      [key('seasonal', 'http'), [0.1, NaN]],
      [key('seasonal', 'l7'), [5, 0.2]],
      [key('autoencoder', 'http'), [0.2, NaN]],
      [key('autoencoder', 'l7'), [0.1, NaN]],
    ]);
    const c = combineStreams(s, [tail, tail, tail, tail], AE_CAP_DECADES);
    assert.ok(Math.abs(c.evidence[0] - ev(5)) < 1e-9);
    // row 1: http has no value from either source; l7's rule still scores the row
    assert.ok(Number.isNaN(c.bySignal.http[1]));
    assert.ok(Math.abs(c.evidence[1] - ev(0.2)) < 1e-9);
  });

  it('leaves the network uncapped where the rule has no value, and in the autoencoder-only ablation', () => {
    const gap = combineStreams(streamsOf([[key('seasonal', 'http'), [NaN]], [key('autoencoder', 'http'), [50]]]), [tail, tail], AE_CAP_DECADES);
    assert.ok(Math.abs(gap.evidence[0] - ev(50)) < 1e-9);
    const alone = combineStreams(streamsOf([[key('autoencoder', 'http'), [50]]]), [tail], AE_CAP_DECADES);
    assert.ok(Math.abs(alone.evidence[0] - ev(50)) < 1e-9);
  });

  it('records the cap in the fitted model, and rejects a model written before it existed', () => {
    const n = 200;
    const s = streamsOf([
      [key('seasonal', 'http'), Array.from({ length: n }, (_, i) => (i * 7919) % 101 / 100)],
      [key('autoencoder', 'http'), Array.from({ length: n }, (_, i) => (i * 104729) % 97 / 100)],
    ]);
    const m = fitEvidenceModel(s, new Uint8Array(n).fill(1), 100, [1], 672);
    assert.equal(m.aeCapDecades, AE_CAP_DECADES);
    assert.equal(m.onlineRows, 672);
    assert.doesNotThrow(() => checkEvidenceModel(JSON.parse(JSON.stringify(m)), 'evidence'));
    const old = JSON.parse(JSON.stringify(m));
    delete old.aeCapDecades;
    assert.throws(() => checkEvidenceModel(old, 'evidence'), /aeCapDecades.*Re-run radarwatch calibrate/);
    // a model from before the online calibration (held-out rows alone) is refused, not scored differently
    const offline = JSON.parse(JSON.stringify(m));
    delete offline.onlineRows;
    assert.throws(() => checkEvidenceModel(offline, 'evidence'), /onlineRows.*Re-run radarwatch calibrate/);
    // labelsKnownTo is optional (no labels known), but a damaged one is refused
    assert.doesNotThrow(() => checkEvidenceModel({ ...m, labelsKnownTo: Date.UTC(2025, 0, 1) }, 'evidence'));
    assert.throws(() => checkEvidenceModel({ ...m, labelsKnownTo: 'soon' as unknown as number }, 'evidence'), /labelsKnownTo.*Re-run radarwatch calibrate/);
  });

  it('jointEvidence: two sources that agree outrank one a little stronger alone; a source alone keeps all but log10 3', () => {
    // the seasonal streams at 1 in 1,000 and the novelty at 1 in 1,000 beat either at 1 in 10,000 alone
    assert.ok(jointEvidence(3, 3) > jointEvidence(4, 0) && jointEvidence(3, 3) > jointEvidence(0, 4));
    // symmetric, and never more than the two together
    assert.equal(jointEvidence(2, 5), jointEvidence(5, 2));
    assert.ok(jointEvidence(3, 3) < 6);
    // a strong source the other does not see (an outage to a level that is ordinary at night) is not diluted by the join
    assert.ok(Math.abs(jointEvidence(8, 0) - (8 - Math.log10(3))) < 1e-12);
    // nothing anywhere is no evidence; no value from the streams is no value at all
    assert.ok(Math.abs(jointEvidence(0, 0)) < 1e-12);
    assert.ok(Number.isNaN(jointEvidence(NaN, 2)));
    assert.equal(jointEvidence(Infinity, 0), Infinity);
    // no novelty test on the row (the autoencoder alone, or too little history): the streams' evidence stands
    assert.equal(jointEvidence(2.7, NaN), 2.7);
  });
});
