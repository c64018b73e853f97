import { strict as assert } from 'assert';
import { InputError } from '../../src/errors';
import { checkSeriesId, dataCommand, isCountryCode, isSeriesId, matchSeriesId, sourceCommand } from '../../src/util/series-id';

describe('util/series-id', () => {
  it('accepts letters, digits, _ and - (1–64 characters) and nothing else', () => {
    for (const ok of ['AT', 'ms_api01', 'web_eu-1', 'a', 'x'.repeat(64)]) assert.ok(isSeriesId(ok), ok);
    for (const bad of ['', 'a/b', '../x', 'a b', 'ä', 'x'.repeat(65), 'a.csv']) assert.ok(!isSeriesId(bad), bad);
  });

  it('upper-cases country codes, keeps other ids as given, and names the rule when refusing', () => {
    assert.equal(checkSeriesId('at'), 'AT');
    assert.equal(checkSeriesId(' ms_api01 '), 'ms_api01');
    assert.equal(checkSeriesId('Ms_Api01'), 'Ms_Api01');
    assert.throws(() => checkSeriesId('ms/api', 'dataset id'), (e: unknown) => e instanceof InputError && /Invalid dataset id "ms\/api": expected a country code such as AT or the --id of an imported CSV, made of letters, digits/.test(e.message));
    assert.ok(isCountryCode('de') && !isCountryCode('XX') && !isCountryCode('ms_api01'));
  });

  it('matches an exact id first, then a country code in any case', () => {
    assert.equal(matchSeriesId('ms_api01', ['AT', 'ms_api01']), 'ms_api01');
    assert.equal(matchSeriesId('at', ['AT', 'ms_api01']), 'AT');
    assert.equal(matchSeriesId('MS_API01', ['AT', 'ms_api01']), undefined);
  });

  it('names the command that makes the data of a country or an imported id', () => {
    assert.equal(dataCommand('AT'), 'radarwatch preprocess --countries AT');
    assert.equal(dataCommand('ms_api01'), 'radarwatch import FILE.csv --id ms_api01');
    assert.equal(sourceCommand('AT'), 'radarwatch fetch --countries AT');
  });
});
