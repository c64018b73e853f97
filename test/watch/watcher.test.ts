import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as path from 'path';
import { HOUR_MS } from '../../src/base/time';
import { evidenceOut } from '../../src/detect/hours';
import { WatchStore } from '../../src/watch/store';
import { Watcher, type WatcherOptions, type WatchStep } from '../../src/watch/watcher';
import { startRadarProxy, startWebhookReceiver, TABLE_END_MS, tinyWatchConfig, trainTinyProject, type RadarProxy, type TinyProject, type WebhookReceiver } from './fixtures';

/** The injected outage: traffic at 5 % for four hours, the morning after the training data ends. */
const OUT_START = TABLE_END_MS + 10 * HOUR_MS;
const OUT_END = TABLE_END_MS + 14 * HOUR_MS;
/** Cycles run hourly from one hour after the table to 36 hours after it. */
const FIRST = TABLE_END_MS + HOUR_MS;
const LAST = TABLE_END_MS + 36 * HOUR_MS;

interface Run {
  lines: string[];
  received: WebhookReceiver['received'];
  store: WatchStore;
}

describe('watch/watcher (mock Radar, tiny trained models)', function () {
  this.timeout(120_000);
  let project: TinyProject;
  let proxy: RadarProxy;
  let now = FIRST;
  let n = 0;

  before(async () => {
    project = await trainTinyProject(['AT', 'DE']);
    // recovery from a total outage lingers in the causal 24 h rolling features: a longer quiet period keeps it one event
    project.cfg = tinyWatchConfig(project.root, { watch: { ...project.cfg.watch, quietHours: 6 } });
    proxy = await startRadarProxy(project.cfg, () => now);
  });
  after(async () => {
    await proxy?.close();
    project?.cleanup();
  });
  beforeEach(() => {
    proxy.rules.outages = [{ country: 'AT', startMs: OUT_START, endMs: OUT_END, factor: 0.05 }];
    proxy.rules.hideFrom = {};
    proxy.rules.holes = [];
    proxy.rules.failing.clear();
  });

  function open(extra: Partial<WatcherOptions> & { dbPath: string }, lines: string[]): Promise<Watcher> {
    return Watcher.open({ cfg: project.cfg, countries: ['AT'], source: 'radar', baseUrl: proxy.url, now: () => now, out: (l) => lines.push(l), ...extra });
  }

  /**
   * Runs hourly cycles FIRST..LAST against a fresh database. `crash` throws at the nth time `step` is reached;
   * the watcher is then dropped and a new one opened on the same database, which (like `run()`) delivers
   * leftovers and repeats the cycle. `webhookDown` lists cycle times at which the receiver refuses everything.
   */
  async function runHours(o: { crash?: { step: WatchStep; nth: number }; webhookDown?: number[]; countries?: string[] } = {}): Promise<Run & { crashed: boolean }> {
    const dbPath = path.join(project.root, `watch-${++n}.db`);
    const rx = await startWebhookReceiver();
    const lines: string[] = [];
    let seen = 0;
    let crashed = false;
    const hook = (step: WatchStep) => {
      if (o.crash && step === o.crash.step && ++seen === o.crash.nth) {
        crashed = true;
        throw new Error('simulated crash');
      }
    };
    const opts = { dbPath, webhook: rx.url, hook, sleep: async () => undefined, countries: o.countries ?? ['AT'] };
    let w = await open(opts, lines);
    try {
      for (now = FIRST; now <= LAST; now += HOUR_MS) {
        rx.failNext = o.webhookDown?.includes(now) ? 1000 : 0;
        try {
          await w.cycle();
          await w.deliver();
        } catch (e) {
          if ((e as Error).message !== 'simulated crash') throw e;
          await w.close(); // a killed process would not close; SQLite recovers either way
          w = await open(opts, lines);
          await w.deliver();
          await w.cycle();
          await w.deliver();
        }
      }
      rx.failNext = 0;
      await w.deliver();
    } finally {
      await w.close();
      await rx.close();
    }
    return { lines, received: rx.received, store: WatchStore.open(dbPath), crashed };
  }

  let reference: Run;

  it('when an outage is injected, then exactly one event opens and closes, on stdout and the webhook alike', async () => {
    reference = await runHours();
    const alerts = reference.lines.map((l) => JSON.parse(l));
    const opened = alerts.filter((a) => a.type === 'event_opened');
    const closed = alerts.filter((a) => a.type === 'event_closed');
    assert.equal(opened.length, 1, reference.lines.join('\n'));
    assert.equal(closed.length, 1, reference.lines.join('\n'));
    const ev = closed[0].event;
    assert.equal(ev.id, opened[0].event.id);
    assert.ok(Math.abs(Date.parse(ev.start) - OUT_START) <= HOUR_MS, `the event starts with the outage (${ev.start})`);
    assert.ok(Date.parse(ev.end) >= OUT_END, `event end ${ev.end} covers the outage`);
    assert.equal(ev.cause, 'outage');
    assert.equal(ev.status, 'closed');
    assert.ok(alerts.every((a) => a.type.startsWith('event_')), 'no data status changes on healthy data');
    assert.ok(Date.parse(closed[0].at) > Date.parse(opened[0].at));
    // the webhook got the same alerts in the same order, each with its id as idempotency key
    assert.deepEqual(reference.received.map((a) => a.id), alerts.map((a) => a.id));
    assert.ok(reference.received.every((a) => a.idempotencyKey === a.id));
    // every hour after the start was scored exactly once (the primary key would have refused a second time)
    const scores = reference.store.scores('AT');
    assert.equal(scores.length, (LAST - FIRST) / HOUR_MS);
    assert.deepEqual(scores.map((s) => s.hour), Array.from({ length: scores.length }, (_, i) => FIRST + i * HOUR_MS));
    assert.deepEqual(reference.store.events('AT').map((e) => [e.id, e.status]), [[ev.id, 'closed']]);
    // each scored hour keeps its evidence, and the event, scored over several cycles, names the peak among all its hours
    assert.ok(scores.every((s) => s.neutral || Number.isFinite(s.evidence)), JSON.stringify(scores.filter((s) => !Number.isFinite(s.evidence))));
    const inEvent = scores.filter((s) => s.anomaly && s.hour >= Date.parse(ev.start) && s.hour < Date.parse(ev.end));
    assert.ok(inEvent.length > 1);
    assert.equal(ev.peakEvidence, evidenceOut(Math.max(...inEvent.map((s) => s.evidence!))));
  });

  it('when one signal is missing for a few hours, then those hours are scored on the others and the store names the filled signal', async () => {
    const from = TABLE_END_MS + 20 * HOUR_MS;
    proxy.rules.holes = [{ country: 'AT', path: '/attacks/layer7/timeseries', startMs: from, endMs: from + 3 * HOUR_MS }];
    const run = await runHours();
    try {
      const hours = run.store.series('AT', from, from + 2 * HOUR_MS);
      assert.deepEqual(hours.map((h) => [h.gap, h.gapSignals]), [[1, ['l7']], [1, ['l7']], [1, ['l7']]]);
      const scored = run.store.scores('AT', from, from + 2 * HOUR_MS);
      assert.equal(scored.length, 3);
      assert.ok(scored.every((s) => !s.neutral && Number.isFinite(s.score)), JSON.stringify(scored));
    } finally {
      run.store.close();
    }
  });

  it('when the watcher restarts without new hours, then it scores and sends nothing more', async () => {
    const dbPath = path.join(project.root, 'restart.db');
    const lines: string[] = [];
    now = FIRST + 12 * HOUR_MS;
    const a = await open({ dbPath }, lines);
    await a.cycle();
    await a.deliver();
    await a.close();
    const before = lines.length;
    const b = await open({ dbPath }, lines);
    const r = await b.cycle();
    await b.deliver();
    await b.close();
    assert.equal(r.countries[0].scoredHours, 0);
    assert.equal(lines.length, before);
  });

  /**
   * Runs the hourly cycles FIRST..LAST in a child process that SIGKILLs itself right after the nth `step`, then starts
   * a new child on the same database from the hour that was being cycled (its lock is stale now), which delivers
   * leftovers first, as `radarwatch watch` would after a kill -9.
   */
  async function runHoursKilled(o: { kill: { step: WatchStep; nth: number }; webhookDown?: number[] }): Promise<Run & { killed: boolean }> {
    const dbPath = path.join(project.root, `watch-${++n}.db`);
    const rx = await startWebhookReceiver();
    const lines: string[] = [];
    // the mock serves every hour up to the end; each child asks only for hours before its own clock
    now = LAST + HOUR_MS;
    const child = (from: number, kill?: { step: WatchStep; nth: number }) =>
      new Promise<{ signal: NodeJS.Signals | null; code: number | null; at: number }>((resolve, reject) => {
        const args = { cfg: project.cfg, dbPath, proxyUrl: proxy.url, webhookUrl: rx.url, from, last: LAST, kill };
        const p = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, 'crash-child.ts'), JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: process.env });
        let at = from;
        let out = '';
        let err = '';
        p.on('message', (m: { now: number }) => {
          at = m.now;
          rx.failNext = o.webhookDown?.includes(m.now) ? 1000 : 0;
        });
        p.stdout!.on('data', (d) => (out += d));
        p.stderr!.on('data', (d) => (err += d));
        p.on('error', reject);
        p.on('close', (code, signal) => {
          lines.push(...out.split('\n').filter(Boolean));
          if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`crash child exited ${code}: ${err}`));
          else resolve({ signal, code, at });
        });
      });
    try {
      const first = await child(FIRST, o.kill);
      const killed = first.signal === 'SIGKILL';
      if (killed) {
        const second = await child(first.at);
        assert.equal(second.code, 0);
      }
      rx.failNext = 0;
      // a last delivery pass, in-process, for alerts the webhook refused in the final cycles
      const w = await open({ dbPath, webhook: rx.url, sleep: async () => undefined }, lines);
      await w.deliver();
      await w.close();
      return { lines, received: rx.received, store: WatchStore.open(dbPath), killed };
    } finally {
      await rx.close();
    }
  }

  for (const crash of [
    { step: 'fetched', nth: 10 },
    { step: 'scored', nth: 10 },
    { step: 'committed', nth: 10 },
    { step: 'printed', nth: 10 },
    { step: 'delivered', nth: 1 },
  ] as const) {
    it(`when the watcher process is SIGKILLed after "${crash.step}" mid-run and restarted, then no alert is lost or sent twice`, async () => {
      // the opening alert is raised in the cycle at OUT_START + 1 h (cycle 10); for "delivered", the webhook is down
      // for three cycles so several alerts queue, and the kill comes after the first of them is delivered
      const down = crash.step === 'delivered' ? [OUT_START + HOUR_MS, OUT_START + 2 * HOUR_MS, OUT_START + 3 * HOUR_MS] : [];
      const r = await runHoursKilled({ kill: crash, webhookDown: down });
      assert.ok(r.killed, 'the child was killed');
      assert.deepEqual(r.received.map((a) => a.id), reference.received.map((a) => a.id), 'webhook: same alerts, once each, in order');
      assert.deepEqual(r.lines, reference.lines, 'stdout: same lines, once each');
      assert.deepEqual(r.store.scores('AT').map((s) => s.hour), reference.store.scores('AT').map((s) => s.hour));
      assert.equal(r.store.alerts().filter((a) => a.webhook !== 'delivered').length, 0);
    });
  }

  it('when the webhook fails, then it is retried with backoff and eventually receives', async () => {
    const dbPath = path.join(project.root, 'retry.db');
    const rx = await startWebhookReceiver();
    const lines: string[] = [];
    const sleeps: number[] = [];
    const w = await open({ dbPath, webhook: rx.url, sleep: async (ms) => void sleeps.push(ms) }, lines);
    try {
      now = FIRST;
      await w.cycle(); // starts the country (backfillHours 0: nothing scored yet)
      now = OUT_START + 2 * HOUR_MS;
      await w.cycle(); // catches up through the outage's first hours: opens the event
      assert.ok(lines.length === 0 && w.store.alerts().length >= 1, 'alerts wait in the outbox until delivered');
      rx.failNext = 2;
      const d = await w.deliver();
      assert.equal(d.webhook!.delivered, lines.length);
      assert.equal(d.webhook!.failures, 2);
      assert.equal(rx.attempts, lines.length + 2);
      assert.deepEqual(rx.received.map((a) => a.id), lines.map((l) => JSON.parse(l).id));
      assert.equal(sleeps.length, 2);
      assert.ok(sleeps[1] > sleeps[0], `backoff grows: ${sleeps.join(', ')}`);
      const row = w.store.alerts()[0];
      assert.equal(row.attempts, 3);
      assert.equal(row.webhook, 'delivered');

      // down for longer than one pass: alerts stay queued in order until it is back (cycles go on until the event's
      // next alert — an escalation or its close — is queued)
      rx.failNext = 1000;
      let down = await w.deliver();
      for (let h = 0; h < 24 && !(down.webhook!.pending >= 1); h++) {
        now += HOUR_MS;
        await w.cycle();
        down = await w.deliver();
      }
      assert.equal(down.webhook!.delivered, 0);
      assert.ok(down.webhook!.pending >= 1);
      assert.equal(down.webhook!.failures, project.cfg.watch.webhook.retries + 1, 'a pass stops after its retries');
      rx.failNext = 0;
      const back = await w.deliver();
      assert.equal(back.webhook!.pending, 0);
      assert.deepEqual(rx.received.map((a) => a.id), lines.map((l) => JSON.parse(l).id));
    } finally {
      await w.close();
      await rx.close();
    }
  });

  it('when one country is late and another fails, then each is reported as such, not as an outage, and the others go on', async () => {
    const dbPath = path.join(project.root, 'late.db');
    const lines: string[] = [];
    proxy.rules.outages = [];
    const w = await open({ dbPath, countries: ['AT', 'DE'] }, lines);
    try {
      now = FIRST + 2 * HOUR_MS;
      await w.cycle();
      proxy.rules.hideFrom.AT = FIRST + 2 * HOUR_MS; // AT's newest hours stop arriving
      proxy.rules.failing.add('DE'); // every DE request fails
      const statuses: string[] = [];
      for (let i = 0; i < 5; i++) {
        now += HOUR_MS;
        const r = await w.cycle();
        statuses.push(r.countries.map((c) => `${c.country}:${c.status}`).join(' '));
      }
      await w.deliver();
      assert.deepEqual(statuses.slice(-1), ['AT:late DE:missing'], statuses.join(' | '));
      let alerts = lines.map((l) => JSON.parse(l));
      assert.deepEqual(alerts.map((a) => `${a.country} ${a.type}`), ['DE data_missing', 'AT data_late'], 'one alert per status change');
      assert.equal(alerts[1].data.newestHour, new Date(FIRST + HOUR_MS).toISOString());
      assert.ok(alerts[1].data.hoursBehind >= 3);
      assert.match(alerts[0].data.reason, /HTTP 500/);

      // data returns: both recover, the late hours are scored once, and nothing looked like an outage
      proxy.rules.hideFrom = {};
      proxy.rules.failing.clear();
      now += HOUR_MS;
      const r = await w.cycle();
      await w.deliver();
      assert.deepEqual(r.countries.map((c) => c.status), ['ok', 'ok']);
      alerts = lines.map((l) => JSON.parse(l));
      assert.deepEqual(alerts.slice(2).map((a) => `${a.country} ${a.type}`).sort(), ['AT data_ok', 'DE data_ok']);
      const at = w.store.scores('AT');
      // the first cycle (at FIRST + 2 h) only started the country; every hour after it was scored once
      assert.deepEqual(at.map((s) => s.hour), Array.from({ length: at.length }, (_, i) => FIRST + 2 * HOUR_MS + i * HOUR_MS), 'no hour skipped or scored twice');
      assert.equal(at[at.length - 1].hour, now - HOUR_MS, 'caught up to the last complete hour');
      assert.equal(w.store.events('AT').length, 0);
      assert.equal(w.store.events('DE').length, 0);
    } finally {
      await w.close();
    }
  });
});
