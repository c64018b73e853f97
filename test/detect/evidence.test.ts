import { strict as assert } from 'assert';
import { computeStreams, streamName } from '../../src/detect/evidence';
import type { SeasonalZ } from '../../src/detect/seasonal';

describe('detect/evidence (streams)', () => {
  const n = 48;
  const seasonal: SeasonalZ = {
    signals: ['http', 'bgp_ips'],
    references: ['similar', 'similar'],
    kinds: ['volume', 'count'],
    z: [new Float64Array(n).fill(0.5), new Float64Array(n).fill(0.5)],
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
    const alone: SeasonalZ = { signals: [], references: [], kinds: [], z: [] };
    const names = computeStreams(alone, errors, [1, 3, 12], 0).keys.map(streamName);
    assert.deepEqual(names.sort(), ['autoencoder/bgp_ips/1', 'autoencoder/bgp_ips/3', 'autoencoder/http/1', 'autoencoder/http/3']);
  });
});
