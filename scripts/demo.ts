/**
 * `npm run demo`: the whole pipeline on the embedded default, offline — fetch (synthetic Radar), preprocess, train,
 * calibrate, test — by running the same CLI commands the README documents, then printing the metrics table.
 * `--countries AT,DE` limits every step to those countries (`npm run demo -- --countries AT,DE`); default all.
 */
import { run } from '../src/cli/main';

/** Each step with the country list spliced in where the command takes it. */
const STEPS: ((cc: string) => string[])[] = [
  (cc) => ['fetch', '--source', 'synthetic', '--countries', cc],
  (cc) => ['preprocess', '--source', 'synthetic', '--countries', cc],
  (cc) => ['train', cc],
  (cc) => ['calibrate', cc],
  (cc) => ['test', cc],
];

function countryArg(argv: string[]): string {
  const i = argv.indexOf('--countries');
  return i >= 0 && argv[i + 1] ? argv[i + 1] : 'all';
}

async function main(): Promise<void> {
  const cc = countryArg(process.argv.slice(2));
  const t0 = Date.now();
  for (const make of STEPS) {
    const step = make(cc);
    const started = Date.now();
    process.stderr.write(`\n== radarwatch ${step.join(' ')}\n`);
    await run(['node', 'radarwatch', ...step]);
    if (process.exitCode && process.exitCode !== 0) {
      process.stderr.write(`demo: step "${step[0]}" failed (exit ${process.exitCode}); stopping.\n`);
      return;
    }
    process.stderr.write(`== ${step[0]} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  process.stderr.write(`\ndemo finished in ${((Date.now() - t0) / 1000).toFixed(1)} s. Results: results/ (models, validation, testing/summary.csv)\n`);
}

void main();
