/** Configs for country-level training tests: 5 weeks of hourly data with a one-week feature warmup. */
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { smallConfig } from '../model/fixtures';

/** A small model and a one-week feature warmup (baselineWeeks 1), so 5 weeks of data train in well under a second. */
export function tinyCountryConfig(epochs = 3): Config {
  const base = smallConfig({ train: { epochs, batchSize: 128 } });
  return parseConfig({ ...base, features: { ...base.features, baselineWeeks: 1, rollingHours: [3, 24] } });
}
