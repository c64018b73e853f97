import { strict as assert } from 'assert';
import type { CountryFrame } from '../../src/data/types';
import { cFactor, causalFeatures, fitIsolationForest, runIsolationForest, scoreIsolationForest } from '../../src/evaluate/iforest';
import { createRng } from '../../src/util/random';

function frame(days: number, seed: number): CountryFrame {
  const rng = createRng(seed);
  const n = days * 24;
  const http = Float64Array.from({ length: n }, (_, t) => 100 * (1.5 + Math.sin((2 * Math.PI * (t % 24)) / 24)) * (1 + 0.03 * rng.normal()));
  return {
    id: 'XX',
    timestamps: Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000),
    signalNames: ['http'],
    signalKinds: { http: 'volume' },
    signals: { http },
    gap: new Uint8Array(n),
    unreliable: new Uint8Array(n),
    labelKind: new Array(n).fill(''),
    labels: [],
  };
}

describe('evaluate/iforest', () => {
  it('c(n) matches the paper: c(2) = 1, c(256) ≈ 10.24', () => {
    assert.equal(cFactor(1), 0);
    assert.equal(cFactor(2), 1);
    assert.ok(Math.abs(cFactor(256) - 10.2448) < 1e-3);
  });

  it('isolates an outlier: it scores far above the bulk', () => {
    const rng = createRng(1);
    const rows = 500;
    const x = Float64Array.from({ length: rows * 2 }, () => rng.normal());
    x[0] = 8;
    x[1] = -8;
    const f = fitIsolationForest(x, 2, Array.from({ length: rows }, (_, i) => i), { trees: 100, sampleSize: 256, seed: 3 });
    const s = scoreIsolationForest(f, x, rows);
    const bulk = Array.from(s.subarray(1)).sort((a, b) => a - b)[Math.floor(0.5 * (rows - 1))];
    assert.ok(s[0] > 0.7 && bulk < 0.55, `outlier ${s[0]}, median ${bulk}`);
  });

  it('features are causal, and a deep drop after the fit range is flagged', () => {
    const f = frame(40, 4);
    const a = causalFeatures(f);
    const g = frame(40, 4);
    g.signals.http[24 * 35] *= 5;
    const b = causalFeatures(g);
    for (let i = 0; i < 24 * 35 * a.cols; i++) assert.equal(a.x[i], b.x[i]);
    for (let t = 24 * 36; t < 24 * 36 + 6; t++) f.signals.http[t] *= 0.05;
    const r = runIsolationForest(f, 24 * 30);
    assert.ok(r.flagged.subarray(24 * 36, 24 * 36 + 6).some((v) => v === 1));
    const fp = r.flagged.subarray(24 * 30, 24 * 36).reduce((s, v) => s + v, 0);
    assert.ok(fp <= 3, `false flags ${fp}`);
  });
});
