/** `radarwatch watch`: continuous detection — scores the newest hours of each country every period and emits alerts as JSON lines (and to a webhook). */
import type { Command } from 'commander';
import { InputError } from '../../errors';
import { log } from '../../util/log';
import { defaultWatchDbPath } from '../../watch/store';
import type { CycleReport, DeliveryReport } from '../../watch/watcher';
import { COUNTRY_HELP, type CliContext } from '../context';

// Library code loads when the command runs, not at start, so `radarwatch --help` stays fast (see cli/main.ts).
const lib = {
  config: () => require('../../config/load') as typeof import('../../config/load'),
  watcher: () => require('../../watch/watcher') as typeof import('../../watch/watcher'),
};

interface WatchFlags {
  countries?: string;
  every?: string;
  webhook?: string;
  once?: boolean;
  source?: string;
  start?: string;
  speed?: string;
  db?: string;
}

/** One stderr line per cycle: per country status, new hours, anomalous hours, alerts and time. */
export function describeCycle(r: CycleReport, d: DeliveryReport): string {
  const parts = r.countries.map((c) => `${c.country} ${c.status}${c.newestHour ? ` @${c.newestHour.slice(0, 13)}` : ''} +${c.scoredHours}h${c.anomalousHours ? ` (${c.anomalousHours} anomalous)` : ''} ${c.seconds.toFixed(2)}s`);
  const hook = d.webhook ? `; webhook delivered ${d.webhook.delivered}, queued ${d.webhook.pending}` : '';
  return `watch ${r.at}: ${parts.join(' | ')}; ${r.alerts} alert(s) in ${r.seconds.toFixed(2)} s${hook}`;
}

/** Registers `watch`. */
export function registerWatch(program: Command, ctx: CliContext): void {
  program
    .command('watch')
    .description(
      'Watch countries live: every period, fetch the newest complete hours, score them with the calibrated models in results/models, ' +
        'and print one JSON line per event change (event_opened / event_updated / event_closed) or data status change (data_late / data_missing / data_ok). ' +
        'State (progress, events, alert outbox) lives in results/watch/watch.db, so a restart resumes without re-scoring or re-sending. Stops on Ctrl-C / SIGTERM.',
    )
    .option('--countries <list>', `${COUNTRY_HELP} (default: all)`)
    .option('--every <period>', 'cycle period such as 30s, 15m, 1h (default: models.yml watch.every)')
    .option('--webhook <url>', 'also POST every alert as JSON to this URL, retried with backoff until it answers 2xx (default: watch.webhook.url)')
    .option('--once', 'run one cycle, deliver, and exit', false)
    .option('--source <name>', 'radar | synthetic (default: watch.source, else data.source)')
    .option('--start <iso>', 'synthetic only: set the simulated clock to this UTC time, e.g. 2026-01-02T00:00:00Z (default: where it stopped, else now)')
    .option('--speed <x>', 'synthetic only: simulated time runs this many times faster than real time between cycles', '1')
    .option('--db <file>', 'state database', defaultWatchDbPath())
    .action(async (o: WatchFlags) => {
      let cfg = ctx.config();
      if (o.every !== undefined) {
        lib.watcher().parsePeriod(o.every);
        const { deepMerge, parseConfig } = lib.config();
        cfg = parseConfig(deepMerge(cfg, { watch: { every: o.every } }), '--every');
      }
      const countries = ctx.countries(o.countries);
      let startMs: number | undefined;
      if (o.start !== undefined) {
        startMs = Date.parse(o.start);
        if (!Number.isFinite(startMs) || !/^\d{4}-\d{2}-\d{2}/.test(o.start)) throw new InputError(`--start: got "${o.start}", expected an ISO 8601 UTC time such as 2026-01-02T00:00:00Z`);
      }
      const speed = Number(o.speed ?? '1');
      if (!Number.isFinite(speed) || speed <= 0) throw new InputError(`--speed: got "${o.speed}", expected a positive number such as 60`);
      if (o.webhook !== undefined && !/^https?:\/\/\S+$/.test(o.webhook)) throw new InputError(`--webhook: got "${o.webhook}", expected an http(s) URL`);

      const watcher = await lib.watcher().Watcher.open({ cfg, countries, source: o.source, dbPath: o.db, webhook: o.webhook, startMs, out: (line) => ctx.out(line) });
      const stop = new AbortController();
      const onSignal = (sig: NodeJS.Signals) => {
        log.info(`watch: ${sig} received, stopping after the current step`);
        stop.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        log.info(`watch: ${countries.join(', ')} from ${watcher.source.name}${watcher.simulated ? ` (simulated clock at ${new Date(watcher.now()).toISOString()}, ×${speed})` : ''}, every ${cfg.watch.every}; state in ${o.db}`);
        await watcher.run({ once: o.once, signal: stop.signal, speed, onCycle: (r, d) => log.info(describeCycle(r, d)) });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await watcher.close();
      }
    });
}
