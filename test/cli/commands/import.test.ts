import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildProgram } from '../../../src/cli/main';
import { InputError } from '../../../src/errors';
import { HOUR_MS } from '../../../src/base/time';

describe('cli/commands import + preprocess', () => {
  let dir: string;
  let cfg: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-cli-import-'));
    cfg = path.join(dir, 'models.yml');
    fs.writeFileSync(cfg, `countries: [AT]\ndateRange: { from: "2024-01-01", to: "2024-01-02" }\ndata:\n  rawDir: ${path.join(dir, 'raw')}\n  processedDir: ${path.join(dir, 'processed')}\n`);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[]): Promise<{ lines: string[]; error?: unknown }> {
    const { program, ctx } = buildProgram();
    const lines: string[] = [];
    ctx.out = (l) => lines.push(l);
    for (const c of [program, ...program.commands]) c.configureOutput({ writeErr: () => {} }); // keep test output clean
    try {
      await program.parseAsync(['node', 'radarwatch', '--config', cfg, ...args]);
      return { lines };
    } catch (error) {
      return { lines, error };
    }
  }

  it('when a CSV is imported, then the table lands in data.processedDir and a summary is printed', async () => {
    const file = path.join(dir, 'flows.csv');
    const t0 = Date.UTC(2024, 0, 1);
    fs.writeFileSync(file, ['timestamp,bytes', ...Array.from({ length: 240 }, (_, i) => `${new Date(t0 + i * HOUR_MS).toISOString()},${i}`)].join('\n'));
    const r = await cli(['import', file, '--id', 'flows']);
    assert.equal(r.error, undefined);
    assert.match(r.lines.join('\n'), /^ {2}step 1h \(median spacing of the timestamps; override with --step\)\n {2}bytes: volume, sum/);
    assert.match(r.lines.find((l) => l.startsWith('flows:'))!, /^flows: 240 rows 2024-01-01\.\.2024-01-10; gap hours bytes=0/);
    assert.ok(fs.existsSync(path.join(dir, 'processed', 'flows.meta.json')));
  });

  it('when --resample is unknown or --id is missing, then the command fails with a usage message', async () => {
    const bad = await cli(['import', 'x.csv', '--id', 'a', '--resample', 'median']);
    assert.match((bad.error as Error).message, /Unknown --resample "median". Expected one of: mean, sum, last/);
    assert.ok(bad.error instanceof InputError);
    const noId = await cli(['import', 'x.csv']);
    assert.match((noId.error as Error).message, /required option '--id <name>'/);
  });

  it('when preprocess runs without raw data, then it says to run fetch first', async () => {
    const r = await cli(['preprocess', '--countries', 'AT', '--source', 'synthetic']);
    assert.match((r.error as Error).message, /No raw data for AT.*radarwatch fetch --countries AT --source synthetic --from 2024-01-01 --to 2024-01-02/);
  });

  it('documents every option in --help', () => {
    const { program } = buildProgram();
    const help = (name: string) => program.commands.find((c) => c.name() === name)!.helpInformation();
    for (const o of ['--countries', '--source', '--from', '--to', '--raw-dir', '--processed-dir', '--include-unverified']) assert.ok(help('preprocess').includes(o), o);
    for (const o of ['--id', '--step', '--labels', '--resample', '--processed-dir']) assert.ok(help('import').includes(o), o);
  });
});
