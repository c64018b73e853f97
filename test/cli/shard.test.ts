/**
 * Fleet sharding (--shard i/n): the assignment is a pure function of the id, and two shards run as separate
 * processes write result folders whose union (by copying) equals one unsharded run.
 */
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputError } from '../../src/errors';
import { knownCountryCodes, parseCountries } from '../../src/util/countries';
import { inShard, parseShard, shardOf } from '../../src/util/shard';
import YAML from 'yaml';
import { buildProgram } from '../../src/cli/main';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'radarwatch.js');

describe('fleet shards (--shard i/n)', () => {
  it('parses i/n with a 0-based index and refuses anything else, naming the form', () => {
    assert.deepEqual(parseShard('0/4'), { index: 0, count: 4 });
    assert.deepEqual(parseShard(' 3 / 4 '), { index: 3, count: 4 });
    assert.equal(parseShard(undefined), undefined);
    for (const bad of ['4/4', '1', '-1/2', '1/0', 'a/b', '1/2/3']) assert.throws(() => parseShard(bad), (e: unknown) => e instanceof InputError && /--shard must be i\/n with 0 ≤ i < n/.test((e as Error).message), bad);
  });

  it('puts every id of the world in exactly one shard, by its id alone, and spreads them evenly', () => {
    const world = parseCountries('world', ['AT']);
    assert.deepEqual(world, knownCountryCodes());
    assert.ok(world.length >= 240, `${world.length} countries`);
    for (const n of [1, 2, 3, 8]) {
      const parts = Array.from({ length: n }, (_, i) => inShard(world, { index: i, count: n }));
      assert.deepEqual(parts.flat().sort(), [...world].sort(), `union of ${n} shards`);
      assert.equal(new Set(parts.flat()).size, world.length, `${n} shards are disjoint`);
      for (const p of parts) assert.ok(p.length >= (world.length / n) * 0.6, `shard sizes ${parts.map((x) => x.length)}`);
    }
    // The list and its order do not matter: a series stays on its shard.
    assert.deepEqual(inShard(['DE', 'AT', 'web_eu-1'], { index: shardOf('AT', 3), count: 3 }).includes('AT'), true);
    assert.equal(shardOf('AT', 3), shardOf('AT', 3));
  });

  it('deploy/fleet-job.yaml is an Indexed Job whose pods run real commands on their shard', () => {
    const job = YAML.parse(fs.readFileSync(path.join(ROOT, 'deploy', 'fleet-job.yaml'), 'utf8'));
    assert.equal(job.kind, 'Job');
    assert.equal(job.spec.completionMode, 'Indexed');
    const c = job.spec.template.spec.containers[0];
    const shards = Number(c.env.find((e: { name: string }) => e.name === 'SHARDS').value);
    assert.equal(job.spec.completions, shards);
    assert.equal(job.spec.parallelism, shards);
    const script: string = c.args.join(' ');
    assert.match(script, /S="--shard \$JOB_COMPLETION_INDEX\/\$SHARDS"/);
    const known = new Set(buildProgram().program.commands.map((x) => x.name()));
    const used = [...script.matchAll(/node bin\/radarwatch\.js \$S (\w[\w-]*)/g)].map((m) => m[1]);
    assert.deepEqual(used, ['fetch', 'preprocess', 'train', 'calibrate', 'test']);
    for (const u of used) assert.ok(known.has(u), u);
    assert.ok(fs.existsSync(path.join(ROOT, 'Dockerfile')), 'the image the job runs is built from the Dockerfile');
  });

  describe('two shards in separate processes', function () {
    this.timeout(300_000);
    let root: string;
    before(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-shard-'))));
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    const CONFIG = ['countries: [AT, DE, JP, BR, ZA]', 'dateRange: { from: "2024-01-01", to: "2024-01-20" }', 'data: { source: synthetic, rawDir: raw, processedDir: processed }', ''].join('\n');
    function rw(dir: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
      return new Promise((resolve, reject) => {
        const env: NodeJS.ProcessEnv = { ...process.env, RADARWATCH_PROGRESS: '0' };
        for (const k of ['RADARWATCH_CONFIG', 'RADARWATCH_RESULTS', 'RADARWATCH_WORKDIR', 'RADARWATCH_SHARD']) delete env[k];
        const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      });
    }
    /** Relative path → bytes of every file under `dir` whose name matches `keep`. */
    function files(dir: string, keep: RegExp): Map<string, string> {
      const out = new Map<string, string>();
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (keep.test(e.name)) out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
        }
      };
      if (fs.existsSync(dir)) walk(dir);
      return out;
    }

    it('when fetch and preprocess run as shard 0/2 and 1/2, then their folders merge into exactly the unsharded result', async () => {
      const runs = { whole: [] as string[], s0: ['--shard', '0/2'], s1: ['--shard', '1/2'] };
      await Promise.all(
        Object.entries(runs).map(async ([name, shard]) => {
          const dir = path.join(root, name);
          fs.mkdirSync(dir);
          fs.writeFileSync(path.join(dir, 'models.yml'), CONFIG);
          for (const cmd of [['fetch', '--countries', 'all'], ['preprocess', '--countries', 'all']]) {
            const r = await rw(dir, [...shard, ...cmd]);
            assert.equal(r.code, 0, `${name} ${cmd[0]}: ${r.stderr.slice(-1500)}`);
          }
        }),
      );
      const tables = (name: string) => files(path.join(root, name, 'processed'), /\.csv$/);
      const whole = tables('whole');
      const a = tables('s0');
      const b = tables('s1');
      assert.equal(whole.size, 5, [...whole.keys()].join(', '));
      assert.ok(a.size > 0 && b.size > 0, `both shards have work: ${[...a.keys()]} | ${[...b.keys()]}`);
      assert.deepEqual([...a.keys()].filter((k) => b.has(k)), [], 'no table is made by both shards');
      assert.deepEqual(new Map([...a, ...b]), whole, 'the union of the shards equals the unsharded run, byte for byte');
    });
  });
});
