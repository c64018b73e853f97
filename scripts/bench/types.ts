/** One named benchmark of `npm run bench`: its result object is written to results/benchmarks/<name>.json. */
import type { Config } from '../../src/config/schema';

export interface Bench {
  name: string;
  description: string;
  run(cfg: Config): Promise<Record<string, unknown>>;
}

/**
 * Runs one bench on its own (`npx tsx scripts/bench/<name>.ts`) with models.yml and prints its result as JSON; a
 * failure prints the stack and sets exit code 1. `run` defaults to the bench's own.
 */
export function runStandalone(bench: Bench, run: (cfg: Config) => Promise<Record<string, unknown>> = (cfg) => bench.run(cfg)): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadConfig } = require('../../src/config/load') as typeof import('../../src/config/load');
  run(loadConfig())
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((e: Error) => {
      process.stderr.write(`bench ${bench.name} failed: ${e.stack ?? e}\n`);
      process.exitCode = 1;
    });
}
