import { strict as assert } from 'assert';
import { effectiveDetector, MIN_NETWORK_SPAN_MS } from '../../src/calibrate/calibrate';
import { DAY_MS } from '../../src/base/time';

describe('calibrate: which evidence a network trained on a short span may give', () => {
  it('drops the network from the hybrid below one week of training rows, and keeps it from one week on', () => {
    assert.equal(MIN_NETWORK_SPAN_MS, 7 * DAY_MS);
    assert.equal(effectiveDetector('hybrid', 1.5 * DAY_MS), 'seasonal');
    assert.equal(effectiveDetector('hybrid', 7 * DAY_MS - 1), 'seasonal');
    assert.equal(effectiveDetector('hybrid', 7 * DAY_MS), 'hybrid');
    assert.equal(effectiveDetector('hybrid', 900 * DAY_MS), 'hybrid');
  });
  it('never changes an explicit choice of one source', () => {
    assert.equal(effectiveDetector('autoencoder', DAY_MS), 'autoencoder');
    assert.equal(effectiveDetector('seasonal', 900 * DAY_MS), 'seasonal');
  });
});
