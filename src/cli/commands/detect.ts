/** `radarwatch detect`: scores one country over a UTC day or range with its calibrated model, from the local table or live from Radar. */
import type { Command } from 'commander';
import { loadCalibration } from '../../calibrate/store';
import type { Config } from '../../config/schema';
import { fetchLiveFrame, parseLiveSource } from '../../data/live';
import { DAY_MS, HOUR_MS } from '../../data/types';
import { loadCountryDetector, loadCountryRun } from '../../detect/load';
import { detectRange } from '../../detect/service';
import type { DetectResult } from '../../detect/types';
import { InputError } from '../../errors';
import { initBackend } from '../../model/backend';
import { parseInstant } from '../../server/validate';
import { knownCountryCodes } from '../../util/countries';
import { log } from '../../util/log';
import { formatTable, pct } from '../../util/table';
import type { CliContext } from '../context';

/** Options of `detect` as commander hands them over. */
interface DetectOptions {
  date?: string;
  from?: string;
  to?: string;
  live: boolean;
  source?: string;
  json: boolean;
  series: boolean;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const FORMATS = 'YYYY-MM-DD (a whole UTC day) or an ISO date-time such as 2025-04-12T06:00:00Z';

/**
 * The hours to score, [from, to) in epoch ms aligned to hour starts: `--date D` is that UTC day; `--from`/`--to` take a
 * date (a bare `--to` date includes that whole day) or a date-time (exclusive). Throws a one-line InputError.
 */
export function parseDetectRange(o: { date?: string; from?: string; to?: string }): { fromMs: number; toMs: number } {
  let from: number;
  let to: number;
  if (o.date !== undefined) {
    if (o.from !== undefined || o.to !== undefined) throw new InputError('Give either --date YYYY-MM-DD or --from/--to, not both');
    if (!DATE_RE.test(o.date)) throw new InputError(`Expected --date as YYYY-MM-DD (one UTC day); got "${o.date}"`);
    from = parseInstant(o.date, '--date', false, 'YYYY-MM-DD (one UTC day)').getTime();
    to = from + DAY_MS;
  } else {
    if (o.from === undefined && o.to === undefined) throw new InputError(`Missing range: give --date YYYY-MM-DD, or --from and --to, each as ${FORMATS}`);
    if (o.from === undefined) throw new InputError(`Missing --from; expected ${FORMATS}`);
    if (o.to === undefined) throw new InputError(`Missing --to; expected ${FORMATS} (a bare date includes that whole day)`);
    from = parseInstant(o.from, '--from', false).getTime();
    to = parseInstant(o.to, '--to', true).getTime();
  }
  from = Math.ceil(from / HOUR_MS) * HOUR_MS;
  to = Math.ceil(to / HOUR_MS) * HOUR_MS;
  if (!(from < to)) throw new InputError(`--from (${new Date(from).toISOString()}) must be before --to (${new Date(to).toISOString()}), at least one hour apart`);
  return { fromMs: from, toMs: to };
}

/** Validates the country argument (one ISO alpha-2 code). */
function parseCountryArg(arg: string): string {
  const cc = arg.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(cc) || !knownCountryCodes().includes(cc)) throw new InputError(`Expected one country as an ISO alpha-2 code such as AT; got "${arg}"`);
  return cc;
}

const hhmm = (isoText: string) => isoText.replace(/:00\.000Z$/, 'Z').replace('T', ' ');
const arrow = (d: 'up' | 'down') => (d === 'up' ? '↑' : '↓');

/** Top `n` signal shares of an hour as `http 45% netflows 30%`. */
function topShares(signals: Record<string, number>, n = 3): string {
  return Object.entries(signals)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${k} ${pct(v, 0)}`)
    .join(', ');
}

/** The human-readable report of a DetectResult: a summary line, the flagged hours, the events, and with `series` every hour's signal values. */
export function formatDetectResult(r: DetectResult, opts: { series?: boolean; source?: string } = {}): string {
  const flagged = r.hours.filter((h) => h.anomaly);
  const m = r.model;
  const out: string[] = [];
  out.push(
    `${r.country} ${hhmm(r.from)} .. ${hhmm(r.to)}${opts.source ? ` (${opts.source})` : ''}: ${r.hours.length} hours, ${flagged.length} flagged, ${r.events.length} event${r.events.length === 1 ? '' : 's'}`,
  );
  out.push(`model ${m.dir} (trained on ${m.trainedFrom.slice(0, 10)}..${m.trainedTo.slice(0, 10)}), threshold ${m.threshold.toPrecision(4)} (${m.thresholdMethod}), temperature ${m.temperature.toFixed(3)}`);
  out.push('');
  if (flagged.length === 0) out.push('No anomalous hours.');
  else {
    out.push('Flagged hours:');
    out.push(formatTable(['hour (UTC)', 'score', '× threshold', 'top signals'], flagged.map((h) => [hhmm(h.timestamp), h.score.toPrecision(4), (h.score / h.threshold).toFixed(2), topShares(h.signals)])));
  }
  if (r.events.length) {
    out.push('');
    out.push('Events:');
    out.push(
      formatTable(
        ['start (UTC)', 'end (UTC)', 'hours', 'peak', 'severity', 'cause', 'top signals'],
        r.events.map((e) => [hhmm(e.start), hhmm(e.end), e.hours, e.peakScore.toPrecision(4), e.severity, e.cause, e.topSignals.map((s) => `${s.signal}${arrow(s.direction)} ${pct(s.share, 0)}`).join(', ')]),
      ),
    );
  }
  if (opts.series && r.series) {
    const names = Object.keys(r.series.signals);
    out.push('');
    out.push('Hours:');
    out.push(
      formatTable(
        ['hour (UTC)', 'score', 'flag', ...names],
        r.hours.map((h, i) => [hhmm(h.timestamp), h.score.toPrecision(4), h.anomaly ? '*' : '', ...names.map((s) => +r.series!.signals[s][i].toPrecision(5))]),
      ),
    );
    out.push('');
    out.push(r.series.labels.length ? `Labelled windows: ${r.series.labels.map((l) => `${l.kind} ${hhmm(l.start)}..${hhmm(l.end)}`).join('; ')}` : 'Labelled windows: none');
  }
  return out.join('\n');
}

/** Scores from the local processed table (datasets/processed/<CC>.csv). */
async function detectLocal(cfg: Config, cc: string, fromMs: number, toMs: number, series: boolean): Promise<DetectResult> {
  const { det, cal, frame } = await loadCountryRun(cfg, cc);
  try {
    return detectRange(cc, frame, det, cal, fromMs, toMs, { series });
  } finally {
    det.dispose();
  }
}

/** Registers `detect`. */
export function registerDetect(program: Command, ctx: CliContext): void {
  program
    .command('detect')
    .description(
      'Score one country over a UTC day (--date) or range (--from/--to) with its trained, calibrated model (results/models/<CC>): ' +
        'prints the flagged hours and the events with their likely cause and top signals. Uses the local processed table, or with ' +
        '--live fetches just the window (plus the feature history) from Radar (CLOUDFLARE_API_TOKEN; RADAR_API_BASE overrides the API root) ' +
        'or from the local mock (--source synthetic).',
    )
    .argument('<country>', 'ISO alpha-2 code of a country with a trained and calibrated model, e.g. AT')
    .option('-d, --date <day>', 'one UTC day, YYYY-MM-DD')
    .option('--from <when>', `start of the range: ${FORMATS}`)
    .option('--to <when>', 'end of the range: a date includes that whole day; a date-time is exclusive')
    .option('--live', 'fetch the window from Radar instead of reading the local processed table', false)
    .option('--source <source>', 'with --live: radar (the Cloudflare API) or synthetic (the embedded generator behind a local mock Radar server) (default: models.yml data.source)')
    .option('--json', 'print the one documented DetectResult JSON object instead of tables', false)
    .option('--series', 'include the signal values of every hour and the labelled windows in range', false)
    .action(async (country: string, o: DetectOptions) => {
      const cc = parseCountryArg(country);
      const { fromMs, toMs } = parseDetectRange(o);
      if (o.source !== undefined && !o.live) throw new InputError('--source only applies with --live (without it, detect reads the local processed table)');
      const cfg = ctx.config();
      await initBackend();
      let result: DetectResult;
      let source = 'local table';
      if (o.live) {
        const src = parseLiveSource(o.source ?? cfg.data.source);
        const det = await loadCountryDetector(cfg, cc);
        try {
          const cal = loadCalibration(det.dir, cc);
          const got = await fetchLiveFrame({ cfg, country: cc, fromMs, toMs, spec: det.spec, source: src });
          const scales = Object.entries(got.scale).map(([s, x]) => `${s} ×${x.factor.toPrecision(4)} (${x.method})`);
          log.info(`live: MIN0_MAX signals put on the training scale: ${scales.join(', ')}`);
          result = detectRange(cc, got.frame, det, cal, fromMs, toMs, { series: o.series });
        } finally {
          det.dispose();
        }
        source = `live, ${src}`;
      } else result = await detectLocal(cfg, cc, fromMs, toMs, o.series);
      ctx.out(o.json ? JSON.stringify(result, null, 2) : formatDetectResult(result, { series: o.series, source }));
    });
}
