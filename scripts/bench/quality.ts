/**
 * `npm run bench -- quality [--quick] [--datasets a,b] [--detectors x,y] [--seeds 7,8,9]`: the quality benchmark (detection quality on
 * the generator, cloud-monitoring and NAB), writing results/benchmarks/quality.json and quality.md and printing the table.
 * Runnable alone: `npx tsx scripts/bench/quality.ts --quick`.
 */
import { loadConfig } from '../../src/config/load';
import { qualityTable, runQuality, seedList, writeQuality, type QualityOptions, type QualityReport } from '../../src/evaluate/benchmark/run';
import { initBackend } from '../../src/model/backend';

/** Parses --quick, --datasets a,b, --detectors x,y and --seeds 7,8,9 (also --datasets=a,b) from `argv`. */
export function qualityArgs(argv: string[]): QualityOptions {
  const o: QualityOptions = {};
  const list = (v: string | undefined, flag: string) => {
    if (!v) throw new Error(`${flag} needs a comma-separated list`);
    return v.split(',').map((x) => x.trim()).filter(Boolean);
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--quick') o.quick = true;
    else if (flag === '--datasets') o.datasets = list(inline ?? argv[++i], flag);
    else if (flag === '--detectors') o.detectors = list(inline ?? argv[++i], flag);
    else if (flag === '--seeds') o.seeds = seedList(list(inline ?? argv[++i], flag));
  }
  return o;
}

/** Runs and writes the quality benchmark; returns the table (the bench runner prints it). */
export async function runQualityBench(argv: string[]): Promise<{ table: string; json: string; report: QualityReport }> {
  const cfg = loadConfig();
  const backend = await initBackend();
  const report = await runQuality(cfg, qualityArgs(argv));
  (report.machine as Record<string, unknown>).backend = backend;
  const { json } = writeQuality(report);
  return { table: qualityTable(report), json, report };
}

if (require.main === module) {
  runQualityBench(process.argv.slice(2))
    .then((r) => process.stdout.write(`${r.table}\n→ ${r.json}\n`))
    .catch((e) => {
      process.stderr.write(`quality bench failed: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    });
}
