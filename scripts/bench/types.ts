/** One named benchmark of `npm run bench`: its result object is written to results/benchmarks/<name>.json. */
import type { Config } from '../../src/config/schema';

export interface Bench {
  name: string;
  description: string;
  run(cfg: Config): Promise<Record<string, unknown>>;
}
