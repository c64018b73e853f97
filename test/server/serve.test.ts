import { strict as assert } from 'assert';
import { Command } from 'commander';
import { registerServe, parsePort } from '../../src/cli/commands/serve';
import type { CliContext } from '../../src/cli/context';
import { parseConfig } from '../../src/config/load';
import { InputError } from '../../src/errors';
import { createFakeService } from './fake-service';

const config = parseConfig({ countries: ['AT'], dateRange: { from: '2025-01-01', to: '2025-06-30' } });

describe('cli serve', () => {
  it('when --port is not an integer 0..65535, then InputError says what is expected', () => {
    assert.equal(parsePort('0'), 0);
    assert.equal(parsePort(8080), 8080);
    for (const bad of ['-1', '65536', '80a', '', '1e3']) assert.throws(() => parsePort(bad), (e: Error) => e instanceof InputError && /integer 0..65535/.test(e.message), bad);
  });

  it('when --preload or --no-preload is given, then it overrides server.preload of models.yml for the service', async () => {
    const seen: (boolean | 'auto')[] = [];
    for (const flags of [[], ['--preload'], ['--no-preload']]) {
      const ctx: CliContext = { config: () => config, countries: () => ['AT'], targets: () => ['AT'], out: () => undefined };
      const program = new Command('radarwatch').exitOverride();
      registerServe(program, ctx, (cfg) => {
        seen.push(cfg.server.preload);
        throw new InputError('stop here');
      });
      await assert.rejects(program.parseAsync(['node', 'radarwatch', 'serve', ...flags]), /stop here/);
    }
    assert.deepEqual(seen, ['auto', true, false]);
  });

  it('when serve runs, then it logs the URL, answers there, and on SIGTERM closes the server and the service', async () => {
    const svc = createFakeService(['AT', 'DE']);
    const ctx: CliContext = { config: () => config, countries: () => ['AT'], targets: () => ['AT'], out: () => undefined };
    const program = new Command('radarwatch').exitOverride();
    registerServe(program, ctx, () => svc);
    const sigtermBefore = process.listenerCount('SIGTERM');
    const lines: string[] = [];
    const level = process.env.RADARWATCH_LOG;
    process.env.RADARWATCH_LOG = 'info'; // the test finds the URL in the log
    const orig = process.stderr.write.bind(process.stderr);
    let sawUrl: (url: string) => void;
    const urlSeen = new Promise<string>((r) => (sawUrl = r));
    process.stderr.write = ((chunk: string | Uint8Array) => {
      const line = String(chunk);
      lines.push(line);
      const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(line);
      if (m) sawUrl(m[1]);
      return true;
    }) as typeof process.stderr.write;
    try {
      const done = program.parseAsync(['node', 'radarwatch', 'serve', '--port', '0', '--host', '127.0.0.1']);
      const url = await urlSeen;
      assert.match(lines.join(''), /serving 2 models \(AT, DE\) at http:\/\/127\.0\.0\.1:\d+\//);
      const r = await fetch(url + '/api/health');
      assert.equal((await r.json()).models, 2);
      // the handler serve installed receives the signal; the process itself keeps running
      process.emit('SIGTERM', 'SIGTERM');
      await done;
      assert.equal(svc.closed, true);
      await assert.rejects(fetch(url + '/api/health'));
      assert.equal(process.listenerCount('SIGTERM'), sigtermBefore, 'serve removes its signal handlers');
      assert.match(lines.join(''), /SIGTERM received, shutting down/);
    } finally {
      process.stderr.write = orig;
      if (level === undefined) delete process.env.RADARWATCH_LOG;
      else process.env.RADARWATCH_LOG = level;
    }
  });
});
