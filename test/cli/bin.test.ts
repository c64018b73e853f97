/**
 * The installed `radarwatch` binary, exactly as a user types it: every subcommand's happy path and one error path,
 * each `node bin/radarwatch.js …` in a child process, in a temp folder with a tiny config (relative paths of the
 * config, datasets/ and results/ resolve there). dist/ is built first when stale, so the compiled path users get after
 * `npm ci` is what runs; the selection rule of the bin (dist/ only while no source changed) is tested on a fake tree.
 */
import { strict as assert } from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { build } from '../../scripts/build';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'radarwatch.js');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pickBuild } = require(BIN) as { pickBuild(root: string, env?: Record<string, string | undefined>): { use: 'dist' | 'source'; why?: string } };

/** notebooks/tiny.yml with fewer epochs and trials: the smoke test checks that commands run, not what they learn. */
const TINY = fs
  .readFileSync(path.join(ROOT, 'notebooks', 'tiny.yml'), 'utf8')
  .replace(/^(\s+)epochs: \d+/gm, '$1epochs: 2')
  .replace(/^(\s+)trials: \d+/gm, '$1trials: 2');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a user's shell: no test-only overrides of the config or results folder. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, RADARWATCH_PROGRESS: '0', ...extra };
  for (const k of ['RADARWATCH_CONFIG', 'RADARWATCH_RESULTS', 'RADARWATCH_WORKDIR', 'RADARWATCH_FROM_SOURCE', 'RADARWATCH_TRACE_BIN']) if (!(k in extra)) delete env[k];
  return env;
}

const hasOptuna = spawnSync('/usr/bin/python3', ['-c', 'import optuna'], { stdio: 'ignore' }).status === 0;

describe('bin/radarwatch.js', function () {
  describe('which code it runs', () => {
    let root: string;
    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bin-pick-'));
      fs.mkdirSync(path.join(root, 'dist', 'cli'), { recursive: true });
      fs.mkdirSync(path.join(root, 'src', 'cli'), { recursive: true });
      fs.writeFileSync(path.join(root, 'dist', 'cli', 'main.js'), '');
      fs.writeFileSync(path.join(root, 'src', 'cli', 'main.ts'), '');
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(path.join(root, 'src', 'cli', 'main.ts'), old, old);
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
    const stamp = (startedAtMs: number, sourceFiles = 1) => fs.writeFileSync(path.join(root, 'dist', '.build-stamp.json'), JSON.stringify({ startedAtMs, sourceFiles }));

    it('when the build started after the last source change, then dist/', () => {
      stamp(Date.now());
      assert.deepEqual(pickBuild(root, {}), { use: 'dist', file: path.join(root, 'dist', 'cli', 'main.js') });
    });
    it('when a source changed after the build started, then the sources, saying why', () => {
      stamp(Date.now() - 120_000);
      assert.deepEqual(pickBuild(root, {}), { use: 'source', why: 'src/ changed after the last build' });
    });
    it('when a source file was added or deleted since the build, then the sources', () => {
      stamp(Date.now(), 2);
      assert.equal(pickBuild(root, {}).use, 'source');
    });
    it('when dist/ has no stamp (a failed or interrupted build), then the sources', () => {
      assert.match(pickBuild(root, {}).why ?? '', /no build stamp/);
    });
    it('when RADARWATCH_FROM_SOURCE=1, then the sources even with a fresh build', () => {
      stamp(Date.now());
      assert.equal(pickBuild(root, { RADARWATCH_FROM_SOURCE: '1' }).use, 'source');
    });
    it('when only dist/ ships (no .ts under src/), then dist/', () => {
      fs.rmSync(path.join(root, 'src'), { recursive: true });
      stamp(0, 134);
      assert.equal(pickBuild(root, {}).use, 'dist');
    });
  });

  describe('no dynamic import() in src/', () => {
    it('when any source file uses import(), then this fails: under the bin\'s CommonJS hook Node\'s ESM resolver finds no .ts file', () => {
      const offenders: string[] = [];
      const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.name.endsWith('.ts')) {
            fs.readFileSync(p, 'utf8')
              .split('\n')
              .forEach((line, i) => {
                // `typeof import('…')` is a type, erased at compile time; comments do not run
                if (/^\s*(\*|\/\*|\/\/)/.test(line)) return;
                const code = line.replace(/\/\/.*$/, '').replace(/typeof import\(/g, '');
                if (/(^|[^\w.])import\s*\(/.test(code)) offenders.push(`${path.relative(ROOT, p)}:${i + 1}: ${line.trim()}`);
              });
          }
        }
      };
      walk(path.join(ROOT, 'src'));
      assert.deepEqual(offenders, [], 'use require() (typed with `as typeof import(…)`) for lazy loading');
    });
  });

  describe('every subcommand through the bin (smoke test)', function () {
    this.timeout(600_000);
    let dir: string;
    let binUsed = '';

    /** Runs `radarwatch …args` through the bin in the temp folder. */
    function rw(args: string[], env: Record<string, string> = {}): Promise<Ran> {
      return run(process.execPath, [BIN, ...args], env);
    }
    function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
      return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd: dir, env: userEnv(env) });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    }
    /** Asserts a happy run: exit 0 and no error line. */
    function ok(r: Ran, what: string): void {
      assert.equal(r.code, 0, `${what} exited ${r.code}\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-3000)}`);
      assert.doesNotMatch(r.stderr, /unexpected error|^\s+at /m, `${what}: ${r.stderr.slice(-2000)}`);
    }
    /**
     * Starts a long-running command, waits until `ready` matches its output, hands the match to `probe`, then sends
     * SIGTERM and expects a clean exit 0.
     */
    async function serveUntil(args: string[], ready: RegExp, probe: (m: RegExpMatchArray) => Promise<void>): Promise<Ran> {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: userEnv() });
      let stdout = '';
      let stderr = '';
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      const m = await new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const hit = (stdout + stderr).match(ready);
          if (hit) resolve(hit);
        };
        child.stdout.on('data', (d) => ((stdout += d), check()));
        child.stderr.on('data', (d) => ((stderr += d), check()));
        void closed.then((code) => reject(new Error(`radarwatch ${args.join(' ')} exited ${code} before it was ready: ${stderr.slice(-2000)}`)));
      });
      try {
        await probe(m);
      } finally {
        child.kill('SIGTERM');
      }
      return { code: await closed, stdout, stderr };
    }
    const get = (url: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        http
          .get(url, (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on('error', reject);
      });

    before(function () {
      this.timeout(300_000);
      // What `npm ci` leaves a user: a fresh dist/ (type errors are `npm run typecheck`'s job; the JS is the same).
      assert.equal(build({ ifStale: true, allowTypeErrors: true }), 0, 'npm run build failed');
      binUsed = spawnSync(process.execPath, [BIN, '--help'], { env: userEnv({ RADARWATCH_TRACE_BIN: '1' }), encoding: 'utf8' }).stderr;
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bin-smoke-'));
      fs.writeFileSync(path.join(dir, 'models.yml'), TINY);
      // worker threads and bare requires resolve packages from the working folder
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      const start = Date.parse('2024-03-01T00:00:00Z');
      const rows = ['time,requests,error_rate'];
      for (let h = 0; h < 21 * 24; h++) rows.push(`${new Date(start + h * 3_600_000).toISOString()},${1000 + 400 * Math.sin((2 * Math.PI * h) / 24) + (h % 7)},${(0.01 + 0.002 * ((h * 7) % 5)).toFixed(4)}`);
      fs.writeFileSync(path.join(dir, 'traffic.csv'), rows.join('\n') + '\n');
      fs.writeFileSync(path.join(dir, 'incidents.csv'), 'start,end,kind\n2024-03-10T04:00:00Z,2024-03-10T07:00:00Z,outage\n');
    });
    after(() => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('runs the compiled build (dist/) when it is fresh', function () {
      // a source edited by a developer while this runs makes the bin (rightly) fall back to the sources
      if (/source \(src\/ changed/.test(binUsed)) this.skip();
      assert.match(binUsed, /radarwatch-bin: dist /);
    });

    it('--help lists every subcommand, quickly', async () => {
      const r = await rw(['--help']);
      ok(r, '--help');
      for (const c of ['fetch', 'preprocess', 'import', 'train', 'validate', 'tune', 'calibrate', 'test', 'detect', 'analyze', 'benchmark', 'serve', 'watch', 'mock-radar']) assert.match(r.stdout, new RegExp(`^\\s+${c}\\b`, 'm'), c);
    });

    it('fetch → preprocess (synthetic, through the local mock Radar)', async () => {
      let r = await rw(['fetch', '--countries', 'AT']);
      ok(r, 'fetch');
      assert.match(r.stdout, /^AT\s+chunks \d+\s+written \d+/m);
      r = await rw(['preprocess', '--countries', 'AT']);
      ok(r, 'preprocess');
      assert.match(r.stdout, /^AT: \d+ rows 2024-01-01\.\.2024-03-31/m);
    });

    it('import a small CSV with labels', async () => {
      const r = await rw(['import', 'traffic.csv', '--id', 'smoke_csv', '--labels', 'incidents.csv']);
      ok(r, 'import');
      assert.ok(fs.existsSync(path.join(dir, 'datasets', 'processed', 'smoke_csv.csv')), r.stdout);
    });

    it('train two imported series from one pooled base (--warm-start pooled)', async () => {
      for (const id of ['pool_a', 'pool_b']) ok(await rw(['import', 'traffic.csv', '--id', id]), `import ${id}`);
      const r = await rw(['train', 'pool_a,pool_b', '--epochs', '2', '--warm-start', 'pooled']);
      ok(r, 'train --warm-start pooled');
      assert.match(r.stderr, /pooled base of 2 series/);
      for (const id of ['pool_a', 'pool_b']) {
        const meta = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'models', id, 'meta.json'), 'utf8')) as { warmStart?: string };
        assert.equal(meta.warmStart, 'pooled', id);
      }
    });

    it('train → validate', async () => {
      let r = await rw(['train', 'AT', '--epochs', '2']);
      ok(r, 'train');
      assert.match(r.stdout, /^AT\s+\d+\s+\d+/m);
      r = await rw(['validate', 'AT']);
      ok(r, 'validate');
      assert.match(r.stdout, /^AT: val loss/m);
    });

    it('tune with Optuna and Hyperband (dynamic loading through the bin)', async function () {
      if (!hasOptuna) this.skip();
      const r = await rw(['tune', 'AT', '--trials', '2', '--pruner', 'hyperband']);
      ok(r, 'tune');
      assert.ok(fs.existsSync(path.join(dir, 'results', 'tuning', 'AT', 'study.db')));
      assert.match(r.stdout, /^AT\s+hyperband\s+2\b/m);
    });

    it('calibrate → test', async () => {
      let r = await rw(['calibrate', 'AT']);
      ok(r, 'calibrate');
      assert.ok(fs.existsSync(path.join(dir, 'results', 'models', 'AT', 'calibration.json')));
      r = await rw(['test', 'AT']);
      ok(r, 'test');
      assert.match(r.stdout, /hybrid/);
      assert.match(r.stdout, /test \/ validation/);
    });

    it('detect a day (table and --json)', async () => {
      let r = await rw(['detect', '-d', '2024-03-25', 'AT']);
      ok(r, 'detect');
      assert.match(r.stdout, /^AT 2024-03-25 00:00Z \.\. 2024-03-26 00:00Z \(local table\)/m);
      r = await rw(['detect', '--from', '2024-03-20', '--to', '2024-03-21', 'AT', '--json']);
      ok(r, 'detect --json');
      const j = JSON.parse(r.stdout) as { country: string; hours: unknown[] };
      assert.equal(j.country, 'AT');
      assert.equal(j.hours.length, 48);
    });

    it('analyze eda (HTML, no PNG)', async () => {
      const r = await rw(['analyze', 'eda', 'AT', '--no-png']);
      ok(r, 'analyze');
      assert.ok(fs.existsSync(path.join(dir, 'results', 'analysis', 'AT', 'eda.html')));
      assert.ok(fs.existsSync(path.join(dir, 'results', 'analysis', 'index.html')));
    });

    it('serve on 127.0.0.1 (any free port) answers /api/health, and stops on SIGTERM', async () => {
      const r = await serveUntil(['serve', '--port', '0', '--host', '127.0.0.1'], /at (http:\/\/127\.0\.0\.1:\d+)\/?/, async (m) => {
        const res = await get(`${m[1]}/api/health`);
        assert.equal(res.status, 200, res.body);
      });
      ok(r, 'serve');
    });

    it('watch --once on the synthetic source', async () => {
      const r = await rw(['watch', '--once', '--countries', 'AT', '--source', 'synthetic', '--start', '2024-04-01T00:00:00Z', '--db', 'watch.db']);
      ok(r, 'watch --once');
      assert.match(r.stderr, /watch .*AT /);
      assert.ok(fs.existsSync(path.join(dir, 'watch.db')));
    });

    it('mock-radar on 127.0.0.1 (any free port) answers, and stops on SIGTERM', async () => {
      const r = await serveUntil(['mock-radar', '--port', '0'], /^(http:\/\/127\.0\.0\.1:\d+\S*)/m, async (m) => {
        const res = await get(`${m[1].replace(/\/$/, '')}/http/timeseries?location=AT&dateStart=2024-01-01T00:00:00Z&dateEnd=2024-01-02T00:00:00Z&aggInterval=1h&format=json`);
        assert.ok(res.status < 500, `${res.status} ${res.body.slice(0, 300)}`);
      });
      ok(r, 'mock-radar');
    });

    it('bench cli (npm run bench): times the bin cold and writes results/benchmarks/cli.json', async () => {
      // `npm run` always works in the package root; tsx on the same script keeps this run's results in the temp folder
      const r = await run(process.execPath, [TSX, path.join(ROOT, 'scripts', 'bench.ts'), 'cli'], { RADARWATCH_BENCH_RUNS: '1' });
      ok(r, 'bench cli');
      const j = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'benchmarks', 'cli.json'), 'utf8')) as { help: { medianSeconds: number }; detect: { medianSeconds: number } };
      assert.ok(j.help.medianSeconds > 0 && j.detect.medianSeconds > 0);
    });

    it('error paths: one line saying what was wrong, a non-zero exit code, no stack trace', async () => {
      const cases: [string[], RegExp][] = [
        [['fetch', '--source', 'nope'], /Unknown --source "nope"/],
        [['preprocess', '--source', 'nope'], /Unknown --source "nope"/],
        [['import', 'missing.csv', '--id', 'x1'], /missing\.csv/],
        [['train', 'ZZZ'], /ZZZ/],
        [['train', 'AT', '--warm-start', 'a b'], /--warm-start must be a series id such as US, pooled, or none; got "a b"/],
        [['validate', 'DE'], /DE/],
        [['tune', 'AT', '--pruner', 'nope'], /Unknown --pruner "nope"/],
        [['calibrate', 'AT', '--method', 'nope'], /Unknown --method "nope"/],
        [['test', 'AT', '--method', 'nope'], /Unknown --method "nope"/],
        [['detect', '-d', '2019-01-01', 'AT'], /outside the data|No data/],
        [['analyze', 'eda', 'ZZZ', '--no-png'], /ZZZ/],
        [['serve', '--port', '99999'], /--port/],
        [['watch', '--once', '--speed', '-1'], /--speed/],
        [['mock-radar', '--port', '99999'], /--port/],
        [['benchmark', '--detectors', 'nope'], /Unknown detector "nope"/],
        [['benchmark', '--seeds', '7,x'], /--seeds: expected comma-separated integer training seeds, got "x"/],
        [['nope'], /unknown command/],
      ];
      const failures: string[] = [];
      // two at a time: the machine has two cores
      for (let i = 0; i < cases.length; i += 2) {
        const batch = cases.slice(i, i + 2);
        const results = await Promise.all(batch.map(([args]) => rw(args)));
        batch.forEach(([args, want], k) => {
          const r = results[k];
          const lines = r.stderr.split('\n').filter((l) => l.trim() && !/^tfjs backend|^\(add --help/.test(l));
          const problem =
            r.code === 0 ? 'exit 0' : /unexpected error|^\s+at /m.test(r.stderr) ? 'a stack trace' : !want.test(r.stderr) ? `no ${want}` : !lines.some((l) => /^(radarwatch: \w+|error: )/.test(l)) ? 'no error line' : '';
          if (problem) failures.push(`radarwatch ${args.join(' ')}: ${problem} (exit ${r.code})\n${r.stderr.slice(-800)}`);
        });
      }
      const bench = await run('npm', ['run', '--silent', '--prefix', ROOT, 'bench', '--', 'nope']);
      if (bench.code === 0 || !/^bench: unknown bench "nope"\. Known: .*\bcli\b/m.test(bench.stderr) || /^\s+at /m.test(bench.stderr)) failures.push(`npm run bench -- nope (exit ${bench.code}): ${bench.stderr.slice(-800)}`);
      assert.deepEqual(failures, []);
    });
  });
});
