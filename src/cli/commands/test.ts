/** `radarwatch test`: measures each calibrated detector and the no-training baseline on the test split against labels. */
import type { Command } from 'commander';
import { THRESHOLD_METHODS } from '../../calibrate/threshold';
import { ConfigError } from '../../errors';
import type { CountryEvaluation } from '../../evaluate/evaluate';
import { log } from '../../util/log';
import { formatTable, pct } from '../../util/table';
import { COUNTRY_HELP, eachCountry, type CliContext } from '../context';

// Library code loads when the command runs, not at start, so `radarwatch --help` stays fast (see cli/main.ts).
const lib = {
  calibrate: () => require('../../calibrate/calibrate') as typeof import('../../calibrate/calibrate'),
  load: () => require('../../detect/load') as typeof import('../../detect/load'),
  evaluate: () => require('../../evaluate/evaluate') as typeof import('../../evaluate/evaluate'),
  backend: () => require('../../model/backend') as typeof import('../../model/backend'),
};

/** The metrics tables printed by `test` (and the demo): one row per country and detector, pooled rows, per-kind rates, false-alarm drift and causes. */
export function metricsReport(evals: CountryEvaluation[]): string {
  const rows: (string | number)[][] = [];
  const detector = evals[0]?.detector ?? 'detector';
  for (const e of evals) {
    for (const [name, m] of [[e.detector, e.model], ['baseline', e.baseline]] as const) {
      rows.push([e.country, name, `${m.detectedEvents}/${m.labeledEvents}`, pct(m.detectionRate), pct(m.hourlyFpr, 2), pct(m.eventPrecision), m.f1.toFixed(3), m.medianTimeToDetectHours ?? '-']);
    }
  }
  const { pooledMetrics } = lib.evaluate();
  const pm = pooledMetrics(evals.map((e) => e.model));
  const pb = pooledMetrics(evals.map((e) => e.baseline));
  for (const [name, p] of [[detector, pm], ['baseline', pb]] as const) {
    rows.push(['ALL', name, `${p.detectedEvents}/${p.labeledEvents}`, pct(p.detectionRate), pct(p.hourlyFpr, 2), pct(p.eventPrecision), p.f1.toFixed(3), '']);
  }
  const table = formatTable(['country', 'detector', 'detected', 'detection', 'hourly FPR', 'precision', 'F1', 'median TTD h'], rows);
  const kinds = [...new Set([...Object.keys(pm.perKind), ...Object.keys(pb.perKind)])].sort();
  const kindTable = formatTable(
    ['kind', 'events', detector, 'baseline'],
    kinds.map((k) => [k, pm.perKind[k]?.events ?? 0, pct(pm.perKind[k]?.detectionRate ?? NaN), pct(pb.perKind[k]?.detectionRate ?? NaN)]),
  );
  const drift = formatTable(
    ['country', 'budget', 'validation FPR', 'test FPR', 'test / validation'],
    evals.map((e) => [e.country, pct(e.falseAlarms.budget, 2), pct(e.falseAlarms.validationFpr, 2), pct(e.falseAlarms.testFpr, 2), Number.isFinite(e.falseAlarms.ratio) ? `${e.falseAlarms.ratio.toFixed(2)}×` : '-']),
  );
  const confusion: Record<string, Record<string, number>> = {};
  let detected = 0;
  let right = 0;
  for (const e of evals) {
    detected += e.causes.detected;
    right += Number.isFinite(e.causes.accuracy) ? e.causes.accuracy * e.causes.detected : 0;
    for (const [k, row] of Object.entries(e.causes.confusion)) for (const [c, n] of Object.entries(row)) (confusion[k] ??= {})[c] = (confusion[k]?.[c] ?? 0) + n;
  }
  const causes = [...new Set(Object.values(confusion).flatMap((r) => Object.keys(r)))].sort();
  const causeTable = formatTable(
    ['labelled kind', ...causes],
    Object.keys(confusion)
      .sort()
      .map((k) => [k, ...causes.map((c) => confusion[k][c] ?? 0)]),
  );
  return (
    `${table}\n\nDetection rate by kind (all countries):\n${kindTable}` +
    `\n\nFalse alarms on normal rows, validation (where the budget was calibrated) vs test:\n${drift}` +
    `\n\nLikely cause of detected events by labelled kind (${detected ? pct(Math.round(right) / detected) : '-'} as expected):\n${causes.length ? causeTable : '(no detected labelled events)'}`
  );
}

/** Registers `test`. */
export function registerTest(program: Command, ctx: CliContext): void {
  program
    .command('test')
    .description('Evaluate each calibrated detector and a no-training baseline (median of the most similar recent days ± MAD) on the test split: event detection rate per kind, hourly false-positive rate, event precision, F1, median time to detect. Writes results/testing/<CC>/metrics.json and results/testing/summary.csv.')
    .argument('[countries]', COUNTRY_HELP)
    .option('--countries <list>', 'same as the positional argument')
    .option('--method <method>', `threshold to evaluate: ${Object.keys(THRESHOLD_METHODS).join(' | ')} (default: the one calibrate saved)`)
    .option('--json', 'print the evaluations as JSON instead of tables', false)
    .action(async (positional: string | undefined, o: { countries?: string; method?: string; json: boolean }) => {
      const cfg = ctx.config();
      if (o.method && !THRESHOLD_METHODS[o.method]) throw new ConfigError(`Unknown --method "${o.method}". Valid: ${Object.keys(THRESHOLD_METHODS).join(', ')}`);
      await lib.backend().initBackend();
      const { evaluateCountry, writeEvaluations } = lib.evaluate();
      const { withMethod } = lib.calibrate();
      const { results: evals, failure } = await eachCountry(ctx.targets(positional, o.countries), { step: 'test', what: 'evaluation' }, async (cc) => {
        const { det, cal, frame } = await lib.load().loadCountryRun(cfg, cc);
        try {
          const t = det.meta.split.test;
          return evaluateCountry(frame, det, o.method ? withMethod(cal, o.method) : cal, Date.parse(t.from), Date.parse(t.to));
        } finally {
          det.dispose();
        }
      });
      if (evals.length) {
        const { summary } = writeEvaluations(evals);
        ctx.out(o.json ? JSON.stringify(evals, null, 2) : metricsReport(evals));
        log.info(`wrote results/testing/<CC>/metrics.json and ${summary}`);
      }
      if (failure) throw failure;
    });
}
