import { strict as assert } from 'assert';
import { knownCountryCodes } from '../../src/util/countries';
import { alpha3 } from '../../src/util/iso3';

describe('util/iso3', () => {
  it('when a country code is given in any case, then its ISO alpha-3 code comes back', () => {
    const cases: [string, string][] = [['AT', 'AUT'], ['de', 'DEU'], ['US', 'USA'], ['GB', 'GBR'], ['ZA', 'ZAF'], ['SG', 'SGP'], ['XK', 'XKK']];
    for (const [a2, a3] of cases) assert.equal(alpha3(a2), a3, a2);
  });

  it('when the id is not a country code, then there is none', () => {
    for (const id of ['web_eu-1', 'XX', '', 'AUT', 'constructor']) assert.equal(alpha3(id), undefined, id);
  });

  it('when any code the time-zone database knows is looked up, then it has an alpha-3 code', () => {
    const missing = knownCountryCodes().filter((c) => !/^[A-Z]{3}$/.test(alpha3(c) ?? ''));
    assert.deepEqual(missing, []);
  });
});
