/** Worker of test/util/pool.test.ts: doubles (× factor) its task, fails on 3, and ends its thread on 4. */
import { serveTasks } from '../../src/util/pool';

serveTasks<{ factor: number }>(async (payload, data, progress) => {
  const x = payload as number;
  progress(x);
  if (x === 3) throw new RangeError('three');
  if (x === 4) process.exit(7);
  return x * data.factor;
});
