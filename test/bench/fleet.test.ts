import { strict as assert } from 'assert';
import { fleetCountries } from '../../scripts/bench/fleet';
import { knownCountryCodes } from '../../src/util/countries';

describe('bench fleet (country selection)', () => {
  it('takes every country for "world", and otherwise a deterministic sample spread over the whole list', () => {
    const all = knownCountryCodes();
    assert.deepEqual(fleetCountries('world'), all);
    const sample = fleetCountries('16');
    assert.equal(sample.length, 16);
    assert.equal(new Set(sample).size, 16);
    assert.deepEqual(fleetCountries(undefined), sample, 'the default is the 16-country sample');
    // spread: the sample reaches the last quarter of the sorted list, not just its start
    assert.ok(all.indexOf(sample[15]) >= (3 * all.length) / 4, sample.join(','));
    assert.deepEqual(fleetCountries('3'), [all[0], all[Math.floor(all.length / 3)], all[Math.floor((2 * all.length) / 3)]]);
    // the warm-start base leads the sample (the world run trains it first); none or a base already in it changes nothing
    assert.deepEqual(fleetCountries('3', 'US'), ['US', all[0], all[Math.floor(all.length / 3)]]);
    assert.deepEqual(fleetCountries('3', 'none'), fleetCountries('3'));
    assert.deepEqual(fleetCountries('3', all[0]), fleetCountries('3'));
  });
});
