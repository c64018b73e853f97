import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildProgram } from '../../../src/cli/main';
import { writeProcessed } from '../../../src/data/processed';
import { makeFrame } from '../../features/fixtures';
import { addLabel } from '../../report/fixtures';

describe('cli/commands analyze', () => {
  let dir: string;
  let cfg: string;
  let savedResults: string | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-cli-analyze-'));
    cfg = path.join(dir, 'models.yml');
    fs.writeFileSync(cfg, `countries: [AT, DE]\ndateRange: { from: "2024-01-01", to: "2024-01-21" }\ndata:\n  processedDir: ${path.join(dir, 'processed')}\n`);
    const frame = makeFrame('AT', 21 * 24, '2024-01-01T00:00:00Z');
    addLabel(frame, 200, 4, 'outage', 0.1);
    writeProcessed(path.join(dir, 'processed'), frame, { source: 'synthetic', fill: { maxInterpolateHours: 3, rule: 'test' }, gapHours: {} });
    savedResults = process.env.RADARWATCH_RESULTS;
    process.env.RADARWATCH_RESULTS = path.join(dir, 'results');
  });
  afterEach(() => {
    if (savedResults === undefined) delete process.env.RADARWATCH_RESULTS;
    else process.env.RADARWATCH_RESULTS = savedResults;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<{ lines: string[]; error?: unknown }> {
    const { program, ctx } = buildProgram();
    const lines: string[] = [];
    ctx.out = (l) => lines.push(l);
    try {
      await program.parseAsync(['node', 'radarwatch', '--config', cfg, ...args]);
      return { lines };
    } catch (error) {
      return { lines, error };
    }
  }

  it('when `analyze eda AT --no-png` runs, then eda.html and the index are written, and no PNG', async () => {
    const r = await cli(['analyze', 'eda', 'AT', '--no-png']);
    assert.equal(r.error, undefined);
    const page = path.join(dir, 'results', 'analysis', 'AT', 'eda.html');
    assert.match(r.lines[0], /^AT eda → .*eda\.html \(5 figures\)$/);
    assert.ok(fs.readFileSync(page, 'utf8').includes('Labelled anomaly windows by kind (1 windows'));
    assert.deepEqual(fs.readdirSync(path.dirname(page)), ['eda.html']);
    const index = fs.readFileSync(path.join(dir, 'results', 'analysis', 'index.html'), 'utf8');
    assert.ok(index.includes('href="AT/eda.html"'));
    assert.match(index, /<tr data-country="DE">/, 'configured countries without pages are listed too');
    assert.match(r.lines[r.lines.length - 1], /^index → .*index\.html \(1 countries with reports\)$/);
  });

  it('when a country has no model, then `analyze training` fails naming the fix, and the index is still rebuilt', async () => {
    const r = await cli(['analyze', 'training', 'AT', '--no-png']);
    assert.match((r.error as Error).message, /analyze training failed for 1 of 1: AT: No model at .*radarwatch train AT/);
    assert.ok(fs.existsSync(path.join(dir, 'results', 'analysis', 'index.html')));
  });

  it('documents the analyses and --no-png in --help', () => {
    const { program } = buildProgram();
    const analyze = program.commands.find((c) => c.name() === 'analyze')!;
    assert.deepEqual(analyze.commands.map((c) => c.name()), ['eda', 'training', 'tuning', 'calibration', 'testing']);
    assert.ok(analyze.helpInformation().includes('--no-png'));
    for (const c of analyze.commands) assert.ok(c.description().length > 40, `${c.name()} has a description`);
  });
});
