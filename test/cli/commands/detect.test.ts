import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseDetectRange } from '../../../src/cli/commands/detect';
import { buildProgram } from '../../../src/cli/main';
import { DAY_MS } from '../../../src/base/time';
import { loadCountryRun } from '../../../src/detect/load';
import { detectRange } from '../../../src/detect/service';
import type { DetectResult } from '../../../src/detect/types';
import { DataError, InputError } from '../../../src/errors';
import { makeTinyRun, syntheticFrame, type TinyRun } from '../../detect/fixtures';

/** Runs the CLI with the run's config written as models.yml; collects stdout lines. */
async function cli(run: TinyRun, args: string[]): Promise<{ out: string; error?: unknown }> {
  const file = path.join(run.root, 'models.yml');
  // the resolved config is plain JSON, which is valid YAML
  fs.writeFileSync(file, JSON.stringify(run.cfg));
  const { program, ctx } = buildProgram();
  const lines: string[] = [];
  ctx.out = (l) => lines.push(l);
  for (const c of [program, ...program.commands]) c.configureOutput({ writeErr: () => {} });
  try {
    await program.parseAsync(['node', 'radarwatch', '--config', file, ...args]);
    return { out: lines.join('\n') };
  } catch (error) {
    return { out: lines.join('\n'), error };
  }
}

describe('cli/commands detect', function () {
  this.timeout(180_000);

  describe('on the local table', () => {
    let run: TinyRun;
    before(async () => {
      run = await makeTinyRun();
    });
    after(() => run?.cleanup());

    it('when --json is given, then exactly the documented object is printed, equal to scoring the range directly', async () => {
      const r = await cli(run, ['detect', 'at', '-d', '2023-02-08', '--json']);
      assert.equal(r.error, undefined);
      const got = JSON.parse(r.out) as DetectResult;
      const { det, cal, frame } = await loadCountryRun(run.cfg, 'AT');
      const from = Date.parse('2023-02-08T00:00:00Z');
      const want = detectRange('AT', frame, det, cal!, from, from + DAY_MS, { series: false });
      det.dispose();
      assert.deepEqual(got, JSON.parse(JSON.stringify(want)));
      assert.equal(got.series, undefined);
      assert.ok(got.hours.find((h) => Date.parse(h.timestamp) === run.outage.start)?.anomaly, 'the injected outage hour is flagged');
    });

    it('when no --json is given, then a table lists the flagged hours and the events with cause and top signals', async () => {
      const r = await cli(run, ['detect', 'AT', '--from', '2023-02-08T12:00:00Z', '--to', '2023-02-08T20:00:00Z', '--series']);
      assert.equal(r.error, undefined);
      assert.match(r.out, /^AT 2023-02-08 12:00Z \.\. 2023-02-08 20:00Z \(local table\): 8 rows, \d+ flagged, \d+ events?/);
      assert.match(r.out, /Flagged hours:\n.*time \(UTC\)\s+probability\s+evidence\s+top signals/);
      // probabilities read 1.0000 here; the evidence (decades) still tells the outage's hours from the hours after it
      assert.match(r.out, /2023-02-08 1\d:00Z\s+[01]\.\d{4}\s+\d+\.\d\s/, 'a flagged hour with its evidence in decades');
      assert.match(r.out, /2023-02-08 14:00Z/);
      assert.match(r.out, /Events:\n.*start \(UTC\).*peak\s+evidence\s+severity.*cause\s+top signals/);
      assert.match(r.out, /(http|netflows|bgp_ips)↓ \d+%/);
      assert.match(r.out, /Hours:\n/);
      assert.match(r.out, /Labelled windows: outage 2023-02-08 14:00Z\.\.2023-02-08 18:00Z/);
    });

    it('when --series is given with --json, then the series holds one value per hour and the labelled window', async () => {
      const r = await cli(run, ['detect', 'AT', '--from', '2023-02-08', '--to', '2023-02-09', '--json', '--series']);
      const got = JSON.parse(r.out) as DetectResult;
      assert.equal(got.hours.length, 48, 'a bare --to date includes that whole day');
      assert.equal(got.series!.signals.http.length, 48);
      assert.deepEqual(got.series!.labels.map((l) => l.kind), ['outage']);
    });

    it('when dates are bad, then one-line InputErrors say what is expected', async () => {
      const cases: [string[], RegExp][] = [
        [['-d', '2023-02-30'], /Expected --date as YYYY-MM-DD/],
        [['-d', '8.2.2023'], /Expected --date as YYYY-MM-DD/],
        [['--from', 'yesterday', '--to', '2023-02-09'], /Expected --from as YYYY-MM-DD/],
        [['--from', '2023-02-09', '--to', '2023-02-08T00:00:00Z'], /must be before --to/],
        [['-d', '2023-02-08', '--from', '2023-02-08'], /either --date .* or --from\/--to/],
        [[], /Missing range/],
        [['--from', '2023-02-08'], /Missing --to/],
      ];
      for (const [args, re] of cases) {
        const r = await cli(run, ['detect', 'AT', ...args]);
        assert.ok(r.error instanceof InputError, `${args.join(' ')}: ${String(r.error)}`);
        assert.match((r.error as Error).message, re);
        assert.ok(!(r.error as Error).message.includes('\n'), 'one line');
      }
      const bad = await cli(run, ['detect', 'AT,DE', '-d', '2023-02-08']);
      assert.match((bad.error as Error).message, /detect scores one series at a time/);
      const noLive = await cli(run, ['detect', 'AT', '-d', '2023-02-08', '--source', 'synthetic']);
      assert.match((noLive.error as Error).message, /--source only applies with --live/);
    });

    it('when the range is outside the data, then a DataError gives the range of the table', async () => {
      const r = await cli(run, ['detect', 'AT', '-d', '2022-12-01']);
      assert.ok(r.error instanceof DataError, String(r.error));
      assert.match((r.error as Error).message, /outside the data of AT: rows from \S+ to \S+ \(exclusive\) can be scored/);
    });

    it('when the range lies in the warm-up at the start of the data, then its rows come back not scorable, never as normal', async () => {
      const r = await cli(run, ['detect', 'AT', '-d', '2023-01-03', '--json']);
      assert.equal(r.error, undefined, String(r.error));
      const got = JSON.parse(r.out) as DetectResult;
      assert.ok(got.hours.length > 0 && got.hours.some((h) => h.scorable === false));
      assert.ok(got.hours.every((h) => h.scorable !== false || !h.anomaly));
    });

    it('parses --date and --from/--to into [from, to) (aligned to the series\' grid later, by detectRange)', () => {
      assert.deepEqual(parseDetectRange({ date: '2025-04-12' }), { fromMs: Date.parse('2025-04-12T00:00:00Z'), toMs: Date.parse('2025-04-13T00:00:00Z') });
      // a date-time is kept as given (a 5-minute series keeps its rows); an offset is honoured
      assert.deepEqual(parseDetectRange({ from: '2025-04-12T06:30:00Z', to: '2025-04-12T12:00:00+02:00' }), { fromMs: Date.parse('2025-04-12T06:30:00Z'), toMs: Date.parse('2025-04-12T10:00:00Z') });
      assert.deepEqual(parseDetectRange({ from: '2025-04-12', to: '2025-04-12' }), { fromMs: Date.parse('2025-04-12T00:00:00Z'), toMs: Date.parse('2025-04-13T00:00:00Z') });
    });
  });

  describe('--live', () => {
    let run: TinyRun;
    before(async () => {
      // a model trained on a generator table, so the mock serves the very data it was trained on
      const frame = await syntheticFrame('AT', '2024-03-04', '2024-04-28');
      run = await makeTinyRun({ frames: { AT: frame }, epochs: 5 });
    });
    after(() => run?.cleanup());

    it('when --live --source synthetic is given, then the window is fetched from the mock and scores like the local table', async () => {
      const live = await cli(run, ['detect', 'AT', '-d', '2024-04-24', '--live', '--source', 'synthetic', '--json']);
      assert.equal(live.error, undefined, String(live.error));
      const local = await cli(run, ['detect', 'AT', '-d', '2024-04-24', '--json']);
      const a = JSON.parse(live.out) as DetectResult;
      const b = JSON.parse(local.out) as DetectResult;
      assert.equal(a.hours.length, 24);
      assert.deepEqual(a.hours.map((h) => h.timestamp), b.hours.map((h) => h.timestamp));
      a.hours.forEach((h, i) => {
        const l = b.hours[i];
        assert.ok(h.scorable && l.scorable && h.score !== null && l.score !== null, `${h.timestamp}: scored both live and locally`);
        // Probabilities: the live window is put on the training scale from its own overlap, so low probabilities move a
        // little in relative terms; what matters is that they stay close and flag the same rows.
        assert.ok(Math.abs(h.score - l.score) <= 0.02, `${h.timestamp}: live ${h.score} vs local ${l.score}`);
      });
      assert.deepEqual(a.hours.map((h) => h.anomaly), b.hours.map((h) => h.anomaly));
    });
  });
});
