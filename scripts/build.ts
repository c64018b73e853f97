/**
 * `npm run build` (and `prepare`, which `npm ci` runs): compiles src/ to dist/ with tsc and writes dist/.build-stamp.json,
 * which bin/radarwatch.js checks so it runs dist/ only while no source changed since the build started.
 *   --allow-type-errors   keep the emitted JavaScript and stamp it even when tsc reports type errors (the JS equals what
 *                         tsx would run; `npm run typecheck` is the type gate). Used by the CLI smoke test.
 *   --if-stale            do nothing when dist/ is already fresh.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const SRC = path.join(ROOT, 'src');
const STAMP = path.join(DIST, '.build-stamp.json');
const MAIN = path.join(DIST, 'cli', 'main.js');
const TSBUILDINFO = path.join(DIST, '.tsbuildinfo');

/** What bin/radarwatch.js compares against the sources. */
export interface BuildStamp {
  /** Epoch ms when the build started: a source newer than this is not in the build. */
  startedAtMs: number;
  /** Number of .ts files under src/ then: a file added or deleted since changes it. */
  sourceFiles: number;
  finishedAt: string;
  typeErrors: boolean;
  typescript: string;
}

// the same scan and freshness rule as the bin, so "fresh" means one thing
const bin = require('../bin/radarwatch.js') as {
  scanSources(dir: string): { files: number; newestMs: number };
  pickBuild(root?: string, env?: Record<string, string | undefined>): { use: 'dist' | 'source'; why?: string };
};
export const scanSources = bin.scanSources;

/** True when dist/ holds a complete build of the current sources (what bin/radarwatch.js would run). */
export function buildIsFresh(): boolean {
  return bin.pickBuild(ROOT, {}).use === 'dist';
}

/** Compiles src/ to dist/ and stamps it; returns the exit code. */
export function build(opts: { allowTypeErrors?: boolean; ifStale?: boolean } = {}): number {
  if (!fs.existsSync(SRC) || !fs.existsSync(path.join(ROOT, 'tsconfig.build.json'))) {
    // e.g. `npm ci` in the Dockerfile's first layer, before src/ is copied in
    process.stderr.write('build: no src/ or tsconfig.build.json here, nothing to build\n');
    return 0;
  }
  if (opts.ifStale && buildIsFresh()) {
    process.stderr.write('build: dist/ is up to date\n');
    return 0;
  }
  const t0 = Date.now();
  const sourceFiles = scanSources(SRC).files;
  fs.rmSync(STAMP, { force: true });
  // incremental info without its outputs would make tsc skip emitting them
  if (!fs.existsSync(MAIN)) fs.rmSync(TSBUILDINFO, { force: true });
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  const typeErrors = r.status !== 0;
  if (!fs.existsSync(MAIN) || (typeErrors && !opts.allowTypeErrors)) {
    process.stderr.write(`build: tsc failed (exit ${r.status ?? r.signal}); dist/ is not stamped, so bin/radarwatch.js keeps running the sources. Fix the errors above and re-run \`npm run build\`.\n`);
    return 1;
  }
  const stamp: BuildStamp = {
    startedAtMs: t0,
    sourceFiles,
    finishedAt: new Date().toISOString(),
    typeErrors,
    typescript: (require('typescript/package.json') as { version: string }).version,
  };
  const tmp = `${STAMP}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(stamp, null, 2) + '\n');
  fs.renameSync(tmp, STAMP);
  process.stderr.write(`build: dist/ compiled in ${((Date.now() - t0) / 1000).toFixed(1)} s${typeErrors ? ' (with type errors, kept: --allow-type-errors)' : ''}\n`);
  return 0;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const known = ['--allow-type-errors', '--if-stale'];
  const bad = args.filter((a) => !known.includes(a));
  if (bad.length) {
    process.stderr.write(`build: unknown option ${bad.join(' ')}. Known: ${known.join(', ')}\n`);
    process.exitCode = 2;
  } else process.exitCode = build({ allowTypeErrors: args.includes('--allow-type-errors'), ifStale: args.includes('--if-stale') });
}
