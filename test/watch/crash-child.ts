/**
 * Child process of the watcher's crash tests: runs hourly cycles like `radarwatch watch` and, when told, kills itself
 * with SIGKILL right after a given step — no `finally`, no close, exactly what a crash or `kill -9` leaves behind.
 * Args (JSON in argv[2]): cfg, dbPath, proxyUrl, webhookUrl, from, last (epoch ms), kill?: {step, nth}.
 * Alerts go to stdout; before each cycle the child reports its clock to the parent over IPC.
 */
import type { Config } from '../../src/config/schema';
import { HOUR_MS } from '../../src/base/time';
import { Watcher, type WatchStep } from '../../src/watch/watcher';

interface Args {
  cfg: Config;
  dbPath: string;
  proxyUrl: string;
  webhookUrl: string;
  from: number;
  last: number;
  kill?: { step: WatchStep; nth: number };
}

void (async () => {
  const a = JSON.parse(process.argv[2]) as Args;
  let now = a.from;
  let seen = 0;
  const hook = (step: WatchStep) => {
    if (a.kill && step === a.kill.step && ++seen === a.kill.nth) process.kill(process.pid, 'SIGKILL');
  };
  const w = await Watcher.open({ cfg: a.cfg, countries: ['AT'], source: 'radar', baseUrl: a.proxyUrl, now: () => now, out: (l) => process.stdout.write(l + '\n'), dbPath: a.dbPath, webhook: a.webhookUrl, hook, sleep: async () => undefined });
  // like run(): first deliver what a killed predecessor left queued
  await w.deliver();
  for (now = a.from; now <= a.last; now += HOUR_MS) {
    process.send?.({ now });
    await w.cycle();
    await w.deliver();
  }
  await w.close();
  process.disconnect?.();
})().catch((e) => {
  process.stderr.write(`crash-child: ${(e as Error).stack ?? e}\n`);
  process.exit(2);
});
