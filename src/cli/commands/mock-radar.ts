/** `radarwatch mock-radar`: runs the local mock Radar API (embedded generator) in the foreground until Ctrl-C. */
import * as fs from 'fs';
import type { Command } from 'commander';
import { InputError } from '../../errors';
import type { GeneratorConfig } from '../../config/schema';
import type { MockRadar } from '../../radar/mock-server';
import { log } from '../../util/log';
import { untilSignal, type CliContext } from '../context';

function intOption(name: string, value: string, min: number, max: number): number {
  const v = Number(value);
  if (!/^-?\d+$/.test(value) || v < min || v > max) throw new InputError(`--${name}: got "${value}", expected an integer from ${min} to ${max}`);
  return v;
}

/** Registers `mock-radar`. */
export function registerMockRadar(program: Command, ctx: CliContext): void {
  program
    .command('mock-radar')
    .description('Serve a local mock of the Cloudflare Radar API backed by the seeded generator; point RADAR_API_BASE at the printed URL.')
    .option('--port <port>', 'TCP port (0 = any free port)', '8787')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--seed <seed>', 'generator seed (default: generator.seed in the config, else 42)')
    .option('--now <iso>', 'freeze the server clock at this UTC time, e.g. 2026-01-01T00:00:00Z (default: the real clock)')
    .option('--require-token', 'reject requests without "Authorization: Bearer <token>", like the real API', false)
    .action(async (o: { port: string; host: string; seed?: string; now?: string; requireToken: boolean }) => {
      // The generator settings come from models.yml when there is one; the mock also runs without it.
      const configFile = program.opts().config as string | undefined;
      const generator: Partial<GeneratorConfig> = configFile && fs.existsSync(configFile) ? ctx.config().generator : {};
      const seed = o.seed !== undefined ? intOption('seed', o.seed, -(2 ** 31), 2 ** 31 - 1) : undefined;
      let now: (() => number) | undefined;
      if (o.now !== undefined) {
        const frozen = Date.parse(o.now);
        if (!Number.isFinite(frozen)) throw new InputError(`--now: got "${o.now}", expected an ISO 8601 UTC time such as 2026-01-01T00:00:00Z`);
        now = () => frozen;
      }
      const server: MockRadar = await (require('../../radar/mock-server') as typeof import('../../radar/mock-server')).startMockRadar({ generator, seed, port: intOption('port', o.port, 0, 65535), host: o.host, now, requireToken: o.requireToken });
      ctx.out(server.url);
      log.info(`Mock Radar (seed ${seed ?? generator.seed ?? 42}) listening. Use it with: export RADAR_API_BASE=${server.url}  — Ctrl-C to stop.`);
      await untilSignal();
      await server.close();
      log.info('Mock Radar stopped.');
    });
}
