import { strict as assert } from 'assert';
import * as path from 'path';
import { poolSize, runPool, type TaskOutcome } from '../../src/util/pool';

describe('util/pool', () => {
  it('runs every task in worker threads; an error or a crashed worker fails only its task', async function () {
    this.timeout(60_000);
    const done = new Map<string, TaskOutcome<number>>();
    const progress: string[] = [];
    await runPool<number>(
      [1, 2, 3, 4, 5, 6].map((x) => ({ id: `t${x}`, payload: x })),
      { file: path.join(__dirname, 'pool-worker.ts'), workerData: { factor: 2 }, size: 2, onProgress: (id) => progress.push(id), onDone: (id, o) => done.set(id, o) },
    );
    assert.deepEqual(done.get('t1'), { ok: true, result: 2 });
    assert.deepEqual(done.get('t6'), { ok: true, result: 12 });
    assert.deepEqual(done.get('t3'), { ok: false, error: 'RangeError: three' });
    assert.deepEqual(done.get('t4'), { ok: false, error: 'worker exited with code 7' });
    assert.equal(done.size, 6, 'the tasks after the crash still ran');
    assert.deepEqual(progress.sort(), ['t1', 't2', 't3', 't4', 't5', 't6']);
  });

  it('a worker that cannot start fails every task instead of respawning forever', async () => {
    const done = new Map<string, TaskOutcome<unknown>>();
    await runPool([{ id: 'a' }, { id: 'b' }], { file: path.join(__dirname, 'no-such-worker.js'), size: 1, onDone: (id, o) => done.set(id, o) });
    assert.equal(done.size, 2);
    for (const o of done.values()) assert.ok(!o.ok && /worker could not start/.test(o.error), JSON.stringify(o));
  });

  it('sizes the pool: requested if > 0, else one per core, never more than tasks', () => {
    assert.equal(poolSize(5, 3), 3);
    assert.equal(poolSize(2, 8), 2);
    assert.equal(poolSize(0, 0), 1);
  });
});
