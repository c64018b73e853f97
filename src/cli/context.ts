/** What every CLI command gets: the loaded config (lazily, so --help works without models.yml) and shared argument parsing. */
import type { Command } from 'commander';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import { parseCountries } from '../util/countries';

export interface CliContext {
  /** Loads models.yml (or --config) once. */
  config(): Config;
  /** Resolves a country argument (`AT`, `AT,DE`, `all`) against the config's list. */
  countries(arg: string | undefined): string[];
  /** Writes a line to stdout (results), keeping stderr for logs and progress. */
  out(line: string): void;
}

export function createContext(program: Command): CliContext {
  let cached: Config | undefined;
  const ctx: CliContext = {
    config() {
      if (!cached) cached = loadConfig(program.opts().config as string | undefined);
      return cached;
    },
    countries(arg) {
      return parseCountries(arg, ctx.config().countries);
    },
    out(line) {
      process.stdout.write(line + '\n');
    },
  };
  return ctx;
}

/** The shared positional/option text for country arguments. */
export const COUNTRY_HELP = 'country: ISO alpha-2 code (AT), a comma list (AT,DE) or "all" (the models.yml list)';
