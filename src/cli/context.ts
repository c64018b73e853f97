/** What every CLI command gets: the loaded config (lazily, so --help works without models.yml) and shared argument parsing. */
import * as fs from 'fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import { processedPaths } from '../data/paths';
import { InputError, RadarwatchError } from '../errors';
import { log } from '../util/log';
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

/**
 * Runs `fn` for each country in turn. A typed failure is logged (`<step> <CC>: message`) and collected, so one bad
 * country does not hide the others; `failure` then names them all (`<what> failed for n of N: …`) for the caller to
 * throw after printing what succeeded. Untyped errors (bugs) propagate at once.
 */
export async function eachCountry<T>(countries: string[], names: { step: string; what: string }, fn: (cc: string) => Promise<T>): Promise<{ results: T[]; failure?: RadarwatchError }> {
  const results: T[] = [];
  const failures: string[] = [];
  for (const cc of countries) {
    try {
      results.push(await fn(cc));
    } catch (e) {
      if (!(e instanceof RadarwatchError)) throw e;
      failures.push(`${cc}: ${e.message}`);
      log.error(`${names.step} ${cc}: ${e.message}`);
    }
  }
  const failure = failures.length ? new RadarwatchError(`${names.what} failed for ${failures.length} of ${countries.length}: ${failures.join('; ')}`) : undefined;
  return { results, failure };
}

/** Parses a non-negative integer flag (≥ `min`) or throws InputError naming it; undefined stays undefined (use the default). */
export function positiveInt(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InputError(`${flag} must be an integer ≥ ${min}; got "${value}"`);
  return n;
}

/** Resolves when the process gets SIGINT or SIGTERM; the handlers are removed afterwards so a second signal kills as usual. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
