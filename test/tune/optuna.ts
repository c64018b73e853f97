/** Test helper for the tuning tests: finds the Python interpreter with Optuna once, so Optuna-backed suites skip cleanly (with the reason) where there is none. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { DEFAULT_PYTHONS } from '../../src/tune/shim';

/**
 * RADARWATCH_PYTHON when set (not probed: a wrong value should fail loudly, not skip); otherwise the first default
 * interpreter that can `import optuna`; undefined when none can.
 */
function findOptunaPython(): string | undefined {
  if (process.env.RADARWATCH_PYTHON) return process.env.RADARWATCH_PYTHON;
  return DEFAULT_PYTHONS.find((py) => spawnSync(py, ['-c', 'import optuna'], { stdio: 'ignore', timeout: 30_000 }).status === 0);
}

/** The interpreter the Optuna-backed tests run with, or undefined (they are skipped). */
export const OPTUNA_PY: string | undefined = findOptunaPython();

const SKIP_REASON = `SKIPPED: no Python with Optuna among ${DEFAULT_PYTHONS.join(', ')}; apt-get install python3-optuna, or set RADARWATCH_PYTHON`;

/** `describe` for suites that need real Optuna: `describe.skip` with the reason in the title when there is none. */
export function describeOptuna(title: string, fn: (this: Mocha.Suite) => void): void {
  if (OPTUNA_PY) describe(title, fn);
  else {
    process.stderr.write(`${title}: ${SKIP_REASON}\n`);
    describe.skip(`${title} (${SKIP_REASON})`, fn);
  }
}

/** The interpreter for an Optuna-backed test body (only called inside describeOptuna, where it is defined). */
export function optunaPython(): string {
  if (!OPTUNA_PY) throw new Error('optunaPython() outside describeOptuna');
  return OPTUNA_PY;
}

/** Pids of this process's running bridge.py children (Linux /proc), to kill the Python side mid-study. */
export function bridgePids(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      // field 4 (ppid) follows the parenthesised command, which may itself contain spaces
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('bridge.py')) out.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}
