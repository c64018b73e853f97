import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyParam, loadConfig, parseConfig, parseSavedConfig, resolveCountryConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';

const base = { countries: ['AT', 'DE'], dateRange: { from: '2024-01-01', to: '2024-03-31' } };

describe('config/load', () => {
  it('fills every stage with defaults from a minimal file', () => {
    const c = parseConfig(base);
    assert.equal(c.model.bottleneck, 8);
    assert.deepEqual(c.train.split, { train: 0.6, validation: 0.2, test: 0.2 });
    assert.equal(c.calibrate.method, 'mad');
  });

  it('when models.yml lists an unknown country, then loading fails naming it (not an HTTP 400 halfway through fetch)', () => {
    assert.throws(
      () => parseConfig({ ...base, countries: ['AT', 'XX'] }, 'models.yml'),
      (e: unknown) => e instanceof ConfigError && /^models\.yml: countries\.1: "XX" is not a known country code; expected an ISO 3166-1 alpha-2 code/.test(e.message),
    );
    assert.throws(() => parseConfig({ ...base, overrides: { QQ: { model: { bottleneck: 4 } } } }, 'models.yml'), /overrides\.QQ: "QQ" is not a known country code/);
    assert.deepEqual(parseConfig({ ...base, countries: ['US', 'JP', 'ZA'] }).countries, ['US', 'JP', 'ZA']);
  });

  it('names the key, the bad value and what is allowed', () => {
    assert.throws(
      () => parseConfig({ ...base, calibrate: { method: 'p42' } }, 'models.yml'),
      (e: unknown) => e instanceof ConfigError && /calibrate\.method: got "p42", expected one of "mad", "p99", "p99\.5"/.test(e.message),
    );
  });

  it('reads a model\'s saved config written before a non-model stage changed, but never a bad model stage', () => {
    const saved = { ...parseConfig(base), watch: { webhookRetries: 5 }, server: { port: 'x' } };
    const r = parseSavedConfig(JSON.parse(JSON.stringify(saved)));
    assert.ok(r.success);
    assert.equal(r.data.server.port, parseConfig(base).server.port);
    assert.equal(parseSavedConfig({ ...saved, model: { ...saved.model, bottleneck: -1 } }).success, false);
    assert.equal(parseSavedConfig({ ...saved, features: { ...saved.features, unknownKnob: 1 } }).success, false);
  });

  it('an override replaces only the keys it names; the file\'s other values stay', () => {
    const c = parseConfig({ ...base, model: { catWeight: 0.3, bottleneck: 12 }, overrides: { AT: { model: { contWeight: 2 } } } });
    const at = resolveCountryConfig(c, 'AT');
    assert.equal(at.model.contWeight, 2);
    assert.equal(at.model.catWeight, 0.3);
    assert.equal(at.model.bottleneck, 12);
  });

  it('rejects unknown keys, bad country codes and splits that do not sum to 1', () => {
    assert.throws(() => parseConfig({ ...base, modle: {} }), /unknown key\(s\) "modle"/);
    assert.throws(() => parseConfig({ ...base, countries: ['Austria'] }), /countries\.0: got "Austria", expected an ISO 3166-1 alpha-2 code/);
    assert.throws(() => parseConfig({ ...base, train: { split: { train: 0.5, validation: 0.2, test: 0.2 } } }), /sum to 1/);
  });

  it('applies per-country overrides, tuned params and CLI flags in that order', () => {
    const c = parseConfig({ ...base, overrides: { AT: { model: { bottleneck: 5, residual: false } } } });
    const at = resolveCountryConfig(c, 'AT', { tuned: { 'model.bottleneck': 6 }, cliPatch: { train: { epochs: 3 } } });
    assert.equal(at.model.bottleneck, 6);
    assert.equal(at.model.residual, false);
    assert.equal(at.train.epochs, 3);
    assert.equal(resolveCountryConfig(c, 'DE').model.bottleneck, 8);
  });

  it('maps model.catShare to weights that sum to 1, so the loss scale cannot be searched away', () => {
    const c = applyParam(parseConfig(base), 'model.catShare', 0.25);
    assert.equal(c.model.catWeight, 0.25);
    assert.equal(c.model.contWeight, 0.75);
  });

  it('loads the repository models.yml with at least 6 default countries', () => {
    const c = loadConfig(path.join(__dirname, '..', '..', 'models.yml'));
    assert.ok(c.countries.length >= 6);
  });

  it('reports invalid YAML and missing files as ConfigError', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-cfg-'));
    const f = path.join(dir, 'bad.yml');
    fs.writeFileSync(f, 'countries: [AT\n');
    assert.throws(() => loadConfig(f), (e: unknown) => e instanceof ConfigError && /not valid YAML/.test(e.message));
    assert.throws(() => loadConfig(path.join(dir, 'none.yml')), /Config file not found/);
  });
});
