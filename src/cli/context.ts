/** What every CLI command gets: the loaded config (lazily, so --help works without models.yml) and shared argument parsing. */
import * as fs from 'fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import { processedPaths } from '../data/paths';
import { InputError } from '../errors';
import { knownCountryCodes, parseCountries } from '../util/countries';

export interface CliContext {
  /** Loads models.yml (or --config) once. */
  config(): Config;
  /** Resolves a country argument (`AT`, `AT,DE`, `all`) against the config's list. */
  countries(arg: string | undefined): string[];
  /**
   * Resolves the targets of a model command: like countries(), but an imported CSV id (a processed table made by
   * `radarwatch import`) is accepted too. `positional` wins over `option` (commands take either form).
   */
  targets(positional: string | undefined, option?: string): string[];
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
    targets(positional, option) {
      const arg = positional ?? option;
      if (!arg || arg.trim().toLowerCase() === 'all') return [...ctx.config().countries];
      const known = new Set(knownCountryCodes());
      const dir = ctx.config().data.processedDir;
      const items = [...new Set(arg.split(',').map((s) => s.trim()).filter(Boolean))];
      return items.map((item) => {
        if (fs.existsSync(processedPaths(dir, item).meta)) return item;
        const cc = item.toUpperCase();
        if (known.has(cc)) return cc;
        throw new InputError(`Unknown country or dataset "${item}". Expected an ISO alpha-2 code (AT), a list (AT,DE), "all" (${ctx.config().countries.join(', ')}), or the --id of an imported CSV in ${dir}`);
      });
    },
    out(line) {
      process.stdout.write(line + '\n');
    },
  };
  return ctx;
}

/** The shared positional/option text for country arguments. */
export const COUNTRY_HELP = 'country: ISO alpha-2 code (AT), a comma list (AT,DE) or "all" (the models.yml list)';
