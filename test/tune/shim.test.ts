import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, TuneError } from '../../src/errors';
import { PRUNER_NAMES, prunerSpec } from '../../src/tune/pruners';
import { OPTUNA_INSTALL_HELP, OptunaBridge, bridgeScriptPath, createStudy, pythonCandidates, type Study } from '../../src/tune/shim';
import { describeOptuna, optunaPython } from './optuna';

/** Runs one trial reporting `values` per step, stopping when the pruner says so; returns whether it was pruned. */
async function runCurve(study: Study, values: number[], final: number): Promise<boolean> {
  const t = await study.ask();
  await t.suggestFloat('x', 0, 1);
  for (let step = 1; step <= values.length; step++) {
    await t.report(values[step - 1], step);
    if (await t.shouldPrune()) {
      await study.tell(t, 'pruned');
      return true;
    }
  }
  await study.tell(t, final);
  return false;
}

describeOptuna('tune/shim (real Optuna)', function () {
  this.timeout(60_000);
  let dir: string;
  // Real Optuna: Debian's python3-optuna under /usr/bin/python3 (see facts.md), or RADARWATCH_PYTHON.
  let PY: string;
  // tests that exercise the auto candidates must not be short-circuited by the env var
  const envPython = process.env.RADARWATCH_PYTHON;
  before(() => {
    PY = optunaPython();
    delete process.env.RADARWATCH_PYTHON;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-shim-'));
  });
  after(() => {
    if (envPython !== undefined) process.env.RADARWATCH_PYTHON = envPython;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('TPE converges near the optimum of (x-2)² + (y+1)² in 40 seeded trials', async () => {
    const study = await createStudy({ name: 'quadratic', sampler: { type: 'tpe', seed: 1 }, python: PY });
    try {
      for (let i = 0; i < 40; i++) {
        const t = await study.ask();
        const x = await t.suggestFloat('x', -10, 10);
        const y = await t.suggestFloat('y', -10, 10);
        assert.deepEqual(t.params, { x, y });
        await study.tell(t, (x - 2) ** 2 + (y + 1) ** 2);
      }
      const best = await study.bestTrial();
      assert.ok(best && best.value !== null);
      assert.ok(best.value < 0.5, `best value ${best.value}`);
      assert.ok(Math.abs((best.params.x as number) - 2) < 0.7 && Math.abs((best.params.y as number) + 1) < 0.7, JSON.stringify(best.params));
      const trials = await study.trials();
      assert.equal(trials.length, 40);
      assert.ok(trials.every((t) => t.state === 'complete'));
      const imp = await study.paramImportances();
      assert.deepEqual(Object.keys(imp.values).sort(), ['x', 'y']);
      assert.ok(Math.abs(imp.values.x + imp.values.y - 1) < 1e-9);
    } finally {
      await study.close();
    }
  });

  it('a seeded TPE study is reproducible and another seed samples differently', async () => {
    const sample = async (seed: number) => {
      const study = await createStudy({ name: `seed-${seed}`, sampler: { type: 'tpe', seed, nStartupTrials: 3 }, python: PY });
      try {
        const xs: number[] = [];
        for (let i = 0; i < 8; i++) {
          const t = await study.ask();
          const x = await t.suggestFloat('x', -10, 10);
          xs.push(x);
          await study.tell(t, (x - 2) ** 2);
        }
        return xs;
      } finally {
        await study.close();
      }
    };
    const a = await sample(7);
    assert.deepEqual(await sample(7), a);
    assert.notDeepEqual(await sample(8), a);
  });

  it('int, log-float and categorical suggestions stay in range and Python errors come back as TuneError', async () => {
    const study = await createStudy({ name: 'kinds', sampler: { type: 'tpe', seed: 2 }, python: PY });
    try {
      const t = await study.ask();
      const n = await t.suggestInt('n', 2, 10, { step: 2 });
      const lr = await t.suggestFloat('lr', 1e-4, 1e-1, { log: true });
      const c = await t.suggestCategorical('c', [true, false]);
      assert.ok(Number.isInteger(n) && n % 2 === 0 && n >= 2 && n <= 10);
      assert.ok(lr >= 1e-4 && lr <= 1e-1);
      assert.equal(typeof c, 'boolean');
      await assert.rejects(t.suggestFloat('bad', 5, 1), (e: unknown) => e instanceof TuneError && /ValueError/.test(e.message) && /low/.test(e.message));
      // the bridge survives a Python-side error
      await t.report(0.5, 1);
      const rec = await study.tell(t, 0.5);
      assert.equal(rec.state, 'complete');
      assert.deepEqual(rec.intermediate, [[1, 0.5]]);
      await assert.rejects(t.report(0.4, 2), TuneError);
    } finally {
      await study.close();
    }
  });

  for (const pruner of ['hyperband', 'median', 'sha'] as const) {
    it(`${pruner} prunes every trial of a clearly bad family`, async () => {
      const study = await createStudy({ name: pruner, sampler: { type: 'tpe', seed: 3 }, pruner, prunerOptions: { maxResource: 10 }, python: PY });
      try {
        const good = (k: number) => Array.from({ length: 10 }, (_, s) => 1 / (s + 1) + 0.001 * k);
        const bad = Array.from({ length: 10 }, (_, s) => 10 - 0.1 * s); // decreasing, but far worse than any good curve
        // enough good trials that every Hyperband bracket has references before the bad ones arrive
        for (let i = 0; i < 12; i++) await runCurve(study, good(i), 0.1);
        const badPruned: boolean[] = [];
        for (let i = 0; i < 5; i++) {
          badPruned.push(await runCurve(study, bad, 9));
          await runCurve(study, good(10 + i), 0.1);
        }
        assert.deepEqual(badPruned, [true, true, true, true, true]);
        const trials = await study.trials();
        assert.ok(trials.filter((t) => t.state === 'pruned').every((t) => t.value !== null), 'pruned trials keep their last value');
      } finally {
        await study.close();
      }
    });
  }

  it('with pruner none nothing is ever pruned', async () => {
    const study = await createStudy({ name: 'none', sampler: { type: 'tpe', seed: 3 }, pruner: 'none', python: PY });
    try {
      const bad = Array.from({ length: 10 }, (_, s) => 10 - 0.1 * s);
      for (let i = 0; i < 6; i++) assert.equal(await runCurve(study, [1, 0.5, 0.25], 0.2), false);
      for (let i = 0; i < 5; i++) assert.equal(await runCurve(study, bad, 9), false);
      assert.equal((await study.trials()).filter((t) => t.state === 'pruned').length, 0);
    } finally {
      await study.close();
    }
  });

  it('resumes from the same SQLite file: trial numbers continue, interrupted trials are marked failed', async () => {
    const storage = path.join(dir, 'nested', 'study.db');
    const open = () => createStudy({ name: 'resume', storage, sampler: { type: 'tpe', seed: 4 }, python: PY });
    const a = await open();
    assert.equal(a.storageUrl, `sqlite:///${path.resolve(storage)}`);
    for (let i = 0; i < 3; i++) {
      const t = await a.ask();
      await a.tell(t, await t.suggestFloat('x', 0, 1));
    }
    await a.ask(); // never told: like a Ctrl-C mid-trial
    await a.close();
    const b = await open();
    assert.equal(b.trialsAtOpen, 4);
    assert.equal(b.staleFailed, 1);
    const t = await b.ask();
    assert.equal(t.number, 4);
    await b.tell(t, await t.suggestFloat('x', 0, 1));
    const states = (await b.trials()).map((r) => `${r.number}:${r.state}`);
    assert.deepEqual(states, ['0:complete', '1:complete', '2:complete', '3:fail', '4:complete']);
    await b.close();
  });

  it('killing the Python process rejects the pending and every later call with a TuneError naming the signal', async () => {
    const study = await createStudy({ name: 'kill', python: PY });
    // freeze Python first so the call is surely still pending when the process dies
    process.kill(study.bridge.pid!, 'SIGSTOP');
    const pending = study.ask();
    process.kill(study.bridge.pid!, 'SIGKILL');
    await assert.rejects(pending, (e: unknown) => e instanceof TuneError && /died unexpectedly \(signal SIGKILL\)/.test(e.message));
    await assert.rejects(study.ask(), (e: unknown) => e instanceof TuneError && /SIGKILL/.test(e.message));
    await assert.rejects(study.trials(), TuneError);
    await study.close(); // closing a dead study is harmless
  });

  it('a Python process that stops answering is killed after callTimeoutMs and the call rejects (no hang)', async () => {
    const study = await createStudy({ name: 'stall', python: PY, callTimeoutMs: 500 });
    process.kill(study.bridge.pid!, 'SIGSTOP');
    const t0 = Date.now();
    await assert.rejects(study.ask(), (e: unknown) => e instanceof TuneError && /did not answer "ask" within 0.5 s/.test(e.message));
    assert.ok(Date.now() - t0 < 5000);
    await assert.rejects(study.ask(), TuneError);
    await study.close();
  });

  it('a Python process that exits by itself mid-call rejects with its exit code and stderr', async () => {
    // a bridge that greets, then dies on the first request as a crashing interpreter would
    const script = path.join(dir, 'dying_bridge.py');
    fs.writeFileSync(
      script,
      'import json, sys\nprint(json.dumps({"id": 0, "ok": True, "result": {"optuna": "x", "python": "x", "executable": "x"}}), flush=True)\n' +
        'sys.stdin.readline()\nsys.stderr.write("boom: segfault-like crash\\n")\nsys.exit(7)\n',
    );
    const bridge = await OptunaBridge.start(PY, { script });
    await assert.rejects(bridge.call('ask', { study: 1 }), (e: unknown) => e instanceof TuneError && /died unexpectedly \(exit code 7\)/.test(e.message) && /boom: segfault-like crash/.test(e.message));
    await bridge.close();
  });

  it('a missing interpreter gives the how-to-install message', async () => {
    await assert.rejects(
      createStudy({ name: 'x', pythonCandidates: [path.join(dir, 'no-such-python'), path.join(dir, 'nor-this')] }),
      (e: unknown) =>
        e instanceof TuneError &&
        /No Python interpreter with Optuna found/.test(e.message) &&
        e.message.includes('conda env create -f environment.yml') &&
        e.message.includes('apt-get install python3-optuna') &&
        e.message.includes('RADARWATCH_PYTHON'),
    );
    await assert.rejects(createStudy({ name: 'x', python: path.join(dir, 'no-such-python') }), (e: unknown) => e instanceof TuneError && /from --python/.test(e.message) && e.message.includes(OPTUNA_INSTALL_HELP));
  });

  it('an interpreter without Optuna is skipped in auto mode and named when chosen explicitly', async () => {
    // shadow optuna with a module that fails to import, as on an interpreter that lacks it
    const fake = path.join(dir, 'fake');
    fs.mkdirSync(fake, { recursive: true });
    fs.writeFileSync(path.join(fake, 'optuna.py'), 'raise ImportError("No module named optuna (test shadow)")\n');
    const saved = process.env.PYTHONPATH;
    process.env.PYTHONPATH = fake;
    try {
      await assert.rejects(createStudy({ name: 'x', python: PY }), (e: unknown) => e instanceof TuneError && /from --python/.test(e.message) && /cannot import optuna: ImportError: No module named optuna \(test shadow\)/.test(e.message));
      await assert.rejects(
        createStudy({ name: 'x', pythonCandidates: [PY] }),
        (e: unknown) => e instanceof TuneError && /No Python interpreter with Optuna found \(tried .*test shadow/.test(e.message) && e.message.includes(OPTUNA_INSTALL_HELP),
      );
    } finally {
      if (saved === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = saved;
    }
    // auto mode moves past an interpreter that cannot run the bridge to the next one
    const study = await createStudy({ name: 'auto', pythonCandidates: [path.join(dir, 'no-such-python'), PY] });
    try {
      assert.equal(study.bridge.python, PY);
      assert.match(study.bridge.info.optuna, /^\d+\.\d+/);
    } finally {
      await study.close();
    }
  });
});

describe('tune/shim (no Optuna needed)', () => {
  it('picks the interpreter by precedence --python, RADARWATCH_PYTHON, tune.python, then the defaults', () => {
    assert.deepEqual(pythonCandidates({ python: '/a', configPython: '/c' }, { RADARWATCH_PYTHON: '/b' }), [{ python: '/a', source: '--python' }]);
    assert.deepEqual(pythonCandidates({ configPython: '/c' }, { RADARWATCH_PYTHON: '/b' }), [{ python: '/b', source: 'RADARWATCH_PYTHON' }]);
    assert.deepEqual(pythonCandidates({ configPython: '/c' }, {}), [{ python: '/c', source: 'tune.python in models.yml' }]);
    assert.deepEqual(pythonCandidates({}, {}).map((c) => c.python), ['/usr/bin/python3', 'python3', 'python']);
    assert.ok(fs.existsSync(bridgeScriptPath()));
  });

  it('the pruner registry builds Optuna specs and rejects unknown names with the valid list', () => {
    assert.deepEqual(PRUNER_NAMES, ['hyperband', 'median', 'sha', 'none']);
    assert.deepEqual(prunerSpec('hyperband', { maxResource: 20 }), { cls: 'HyperbandPruner', kwargs: { min_resource: 1, max_resource: 20, reduction_factor: 3 } });
    assert.equal(prunerSpec('none', { maxResource: NaN }).cls, 'NopPruner');
    assert.throws(() => prunerSpec('asha', { maxResource: 5 }), (e: unknown) => e instanceof ConfigError && /Known: hyperband, median, sha, none/.test(e.message));
    assert.throws(() => prunerSpec('hyperband', { maxResource: 0 }), ConfigError);
  });
});
