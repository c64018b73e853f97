/** The `radarwatch` CLI: one program, one subcommand per pipeline step; typed errors print as one clear line. */
import { Command, CommanderError } from 'commander';
import { isRadarwatchError } from '../errors';
import { createContext, type CliContext } from './context';
import { COMMANDS } from './commands';

/** Builds the commander program (without parsing), so tests can drive it. */
export function buildProgram(): { program: Command; ctx: CliContext } {
  const program = new Command('radarwatch')
    .description('Anomaly detection in country-level Internet traffic from Cloudflare Radar telemetry.')
    .option('-c, --config <file>', 'config file', process.env.RADARWATCH_CONFIG ?? 'models.yml')
    .option('--shard <i/n>', 'run only shard i (0-based) of n of the countries/series a fleet command targets (assigned by a hash of the id, so shards merge by copying their result folders)', process.env.RADARWATCH_SHARD)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  const ctx = createContext(program);
  for (const register of COMMANDS) register(program, ctx);
  program.commands.forEach((c) => c.exitOverride());
  return { program, ctx };
}

/** Runs the CLI with `argv` (process.argv form). Sets process.exitCode instead of exiting mid-flight. */
export async function run(argv: string[]): Promise<void> {
  const { program } = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

/** Prints an error as one line and returns the exit code: 2 for usage, 1 for typed errors, 70 for bugs. */
export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
    return e.exitCode || 2;
  }
  if (isRadarwatchError(e)) {
    process.stderr.write(`radarwatch: ${e.name}: ${e.message}\n`);
    return 1;
  }
  const err = e as Error;
  process.stderr.write(`radarwatch: unexpected error: ${err?.stack ?? String(e)}\n`);
  return 70;
}

if (require.main === module) void run(process.argv);
