#!/usr/bin/env node
// Entry point of the `radarwatch` bin: runs the compiled CLI (dist/, built by `npm ci` through the `prepare` script)
// while that build is at least as new as every TypeScript file under src/, else the sources through tsx — so a stale
// build never runs old code, and a checkout without a build still works (with a slower start).
'use strict';
const path = require('path');
const fs = require('fs');

const ROOT = path.join(__dirname, '..');

/** The .ts files under `dir`: how many, and the newest mtime (ms). scripts/build.ts stamps the same scan. */
function scanSources(dir, acc = { files: 0, newestMs: 0 }) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) scanSources(p, acc);
    else if (e.name.endsWith('.ts')) {
      acc.files++;
      acc.newestMs = Math.max(acc.newestMs, fs.statSync(p).mtimeMs);
    }
  }
  return acc;
}

/**
 * Which code to run from the package at `root`: `{ use: 'dist' }` when dist/ holds a stamped build and no .ts file
 * under src/ changed, appeared or vanished since that build started; else `{ use: 'source', why }`. Only .ts files
 * count, so an image that ships dist/ with just src/server/public runs dist/.
 */
function pickBuild(root = ROOT, env = process.env) {
  const built = path.join(root, 'dist', 'cli', 'main.js');
  if (env.RADARWATCH_FROM_SOURCE === '1') return { use: 'source', why: 'RADARWATCH_FROM_SOURCE=1' };
  if (!fs.existsSync(built)) return { use: 'source', why: 'no build in dist/' };
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(root, 'dist', '.build-stamp.json'), 'utf8'));
  } catch {
    return { use: 'source', why: 'dist/ has no build stamp (an interrupted or failed build)' };
  }
  const srcDir = path.join(root, 'src');
  const src = fs.existsSync(srcDir) ? scanSources(srcDir) : { files: 0, newestMs: 0 };
  if (src.files > 0 && (src.newestMs > stamp.startedAtMs || src.files !== stamp.sourceFiles)) return { use: 'source', why: 'src/ changed after the last build' };
  return { use: 'dist', file: built };
}

function main() {
  const pick = pickBuild();
  const trace = process.env.RADARWATCH_TRACE_BIN === '1';
  if (trace) {
    // CPU time of the whole run: a figure that a busy machine inflates less than wall time (scripts/bench/cli.ts)
    process.on('exit', () => {
      const c = process.cpuUsage();
      process.stderr.write(`radarwatch-bin: cpu ${Math.round((c.user + c.system) / 1000)} ms\n`);
    });
  }
  if (pick.use === 'dist') {
    if (trace) process.stderr.write(`radarwatch-bin: dist ${pick.file}\n`);
    require(pick.file).run(process.argv);
    return;
  }
  if (trace) process.stderr.write(`radarwatch-bin: source (${pick.why})\n`);
  else if (pick.why === 'src/ changed after the last build') {
    process.stderr.write('radarwatch: src/ changed after the last build; running the sources through tsx (slower start). `npm run build` refreshes dist/.\n');
  }
  try {
    require.resolve('tsx/cjs');
  } catch {
    process.stderr.write(`radarwatch: cannot start: ${pick.why}, and tsx (a dev dependency) is not installed to run the sources. Run \`npm ci\` (it builds dist/) or \`npm run build\`.\n`);
    process.exitCode = 70;
    return;
  }
  require('tsx/cjs');
  require(path.join(ROOT, 'src', 'cli', 'main.ts')).run(process.argv);
}

if (require.main === module) main();
module.exports = { pickBuild, scanSources };
