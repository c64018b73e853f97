/** `radarwatch detect`: scores one country over a UTC day or range with its calibrated model, from the local table or live from Radar. */
import type { Command } from 'commander';
import type { Calibration } from '../../calibrate/calibrate';
import type { Config } from '../../config/schema';
import type { CountryFrame } from '../../data/types';
import { DAY_MS, HOUR_MS } from '../../base/time';
import type { DetectResult } from '../../detect/types';
import { InputError } from '../../errors';
import type { Detector } from '../../model/artifact';
import { log } from '../../util/log';
import { formatTable, pct } from '../../util/table';
import type { CliContext } from '../context';

// Library code loads when the command runs, not at start, so `radarwatch --help` stays fast (see cli/main.ts).
const lib = {
  store: () => require('../../calibrate/store') as typeof import('../../calibrate/store'),
  live: () => require('../../data/live') as typeof import('../../data/live'),
  processed: () => require('../../data/processed') as typeof import('../../data/processed'),
  load: () => require('../../detect/load') as typeof import('../../detect/load'),
  detect: () => require('../../detect/detect') as typeof import('../../detect/detect'),
  service: () => require('../../detect/service') as typeof import('../../detect/service'),
  backend: () => require('../../model/backend') as typeof import('../../model/backend'),
  validate: () => require('../../server/validate') as typeof import('../../server/validate'),
  seriesId: () => require('../../util/series-id') as typeof import('../../util/series-id'),
};

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
  const { parseInstant } = lib.validate();
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
  // Aligned to the series' own grid later (detectRange): a 5-minute series starting at 00:02 keeps its rows.
  if (!(from < to)) throw new InputError(`--from (${new Date(from).toISOString()}) must be before --to (${new Date(to).toISOString()})`);
  return { fromMs: from, toMs: to };
}

/** Validates the series argument by the one id rule: a country code (any case) or an imported --id, exactly one. */
function parseCountryArg(arg: string): string {
  if (arg.includes(',')) throw new InputError(`detect scores one series at a time; got "${arg}". Run it once per country or --id.`);
  return lib.seriesId().checkSeriesId(arg, 'country or dataset id');
}

const hhmm = (isoText: string) => isoText.replace(/:00\.000Z$/, 'Z').replace('T', ' ');
const arrow = (d: 'up' | 'down') => (d === 'up' ? '↑' : '↓');

/** Evidence in decades with one decimal ('–' where the result carries none). */
const decades = (e: number | null | undefined) => (typeof e === 'number' ? e.toFixed(1) : '–');

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
  const unscorable = r.hours.filter((h) => !h.scorable).length;
  const m = r.model;
  const out: string[] = [];
  out.push(
    `${r.country} ${hhmm(r.from)} .. ${hhmm(r.to)}${opts.source ? ` (${opts.source})` : ''}: ${r.hours.length} rows, ${flagged.length} flagged, ${r.events.length} event${r.events.length === 1 ? '' : 's'}${unscorable ? `, ${unscorable} not scorable (warm-up at the start of the data)` : ''}`,
  );
  out.push(`model ${m.dir} (trained on ${m.trainedFrom.slice(0, 10)}..${m.trainedTo.slice(0, 10)}), ${m.detector} detector, anomalous when probability > ${m.threshold} (budget ${m.falseAlarmsPerWeek} false alarms per week)`);
  out.push('');
  if (flagged.length === 0) out.push('No anomalous hours.');
  else {
    out.push('Flagged hours:');
    out.push(formatTable(['time (UTC)', 'probability', 'evidence', 'top signals'], flagged.map((h) => [hhmm(h.timestamp), (h.probability ?? NaN).toFixed(4), decades(h.evidence), topShares(h.signals)])));
  }
  if (r.events.length) {
    out.push('');
    out.push('Events:');
    out.push(
      formatTable(
        ['start (UTC)', 'end (UTC)', 'hours', 'peak', 'evidence', 'severity', 'cause', 'top signals'],
        r.events.map((e) => [hhmm(e.start), hhmm(e.end), e.hours, e.peakScore.toPrecision(4), decades(e.peakEvidence), e.severity, e.cause, e.topSignals.map((s) => `${s.signal}${arrow(s.direction)} ${pct(s.share, 0)}`).join(', ')]),
      ),
    );
  }
  if (opts.series && r.series) {
    const names = Object.keys(r.series.signals);
    out.push('');
    out.push('Hours:');
    out.push(
      formatTable(
        ['time (UTC)', 'probability', 'flag', ...names],
        r.hours.map((h, i) => [hhmm(h.timestamp), h.probability === null ? '-' : h.probability.toFixed(4), h.anomaly ? '*' : '', ...names.map((s) => +r.series!.signals[s][i].toPrecision(5))]),
      ),
    );
    out.push('');
    out.push(r.series.labels.length ? `Labelled windows: ${r.series.labels.map((l) => `${l.kind} ${hhmm(l.start)}..${hhmm(l.end)}`).join('; ')}` : 'Labelled windows: none');
  }
  return out.join('\n');
}

/**
 * The rows of the local table that scoring [fromMs, toMs) reads: the range plus the history before it
 * (scoreRangeHistoryRows), read as text rather than through danfojs, so one day of a three-year table is quick and
 * scores exactly as in a pass over the whole table. A range the table does not cover reads the whole table instead,
 * so detectRange's error names the table's real extent.
 */
export async function readDetectWindow(cfg: Config, cc: string, det: Detector, cal: Calibration, fromMs: number, toMs: number): Promise<CountryFrame> {
  const { readProcessed, readProcessedMeta } = lib.processed();
  const step = readProcessedMeta(cfg.data.processedDir, cc).stepMs ?? HOUR_MS;
  const history = lib.detect().scoreRangeHistoryRows(det, cal);
  const frame = await readProcessed(cfg.data.processedDir, cc, { window: { fromMs: fromMs - history * step, toMs } });
  const n = frame.timestamps.length;
  if (n > 0 && frame.timestamps[0] <= fromMs && frame.timestamps[n - 1] + step >= toMs) return frame;
  return readProcessed(cfg.data.processedDir, cc);
}

/** Scores from the local processed table (datasets/processed/<CC>.csv). */
async function detectLocal(cfg: Config, cc: string, fromMs: number, toMs: number, series: boolean): Promise<DetectResult> {
  const det = await lib.load().loadCountryDetector(cfg, cc);
  try {
    const cal = lib.store().loadCalibration(det.dir, cc);
    const frame = await readDetectWindow(cfg, cc, det, cal, fromMs, toMs);
    return lib.service().detectRange(cc, frame, det, cal, fromMs, toMs, { series });
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
    .argument('<country>', 'a country (ISO alpha-2 code, e.g. AT) or an imported --id (e.g. ms_api01) with a trained and calibrated model')
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
      await lib.backend().initBackend();
      const { detectRange } = lib.service();
      let result: DetectResult;
      let source = 'local table';
      if (o.live) {
        const { fetchLiveFrame, parseLiveSource } = lib.live();
        const src = parseLiveSource(o.source ?? cfg.data.source);
        const det = await lib.load().loadCountryDetector(cfg, cc);
        try {
          const cal = lib.store().loadCalibration(det.dir, cc);
          const got = await fetchLiveFrame({ cfg, country: cc, fromMs, toMs, spec: det.spec, historyRows: lib.detect().scoreRangeHistoryRows(det, cal), source: src });
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
