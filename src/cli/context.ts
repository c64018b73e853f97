/** What every CLI command gets: the loaded config (lazily, so --help works without models.yml) and shared argument parsing. */
import * as fs from 'fs';
import type { Command } from 'commander';
import type { Config } from '../config/schema';
import { processedPaths, resultDirs } from '../data/paths';
import { InputError, RadarwatchError } from '../errors';
import { log } from '../util/log';

// Config, schema and country tables load on first use (require, not import): `radarwatch --help` needs none of them.
const lazy = {
  config: () => require('../config/load') as typeof import('../config/load'),
  countries: () => require('../util/countries') as typeof import('../util/countries'),
  seriesId: () => require('../util/series-id') as typeof import('../util/series-id'),
  shard: () => require('../util/shard') as typeof import('../util/shard'),
};

export interface CliContext {
  /** Loads models.yml (or --config) once. */
  config(): Config;
  /** Resolves a country argument (`AT`, `AT,DE`, `all`) against the config's list. */
  countries(arg: string | undefined): string[];
  /**
   * Resolves the targets of a model command: like countries(), but an imported CSV id (a processed table made by
   * `radarwatch import`, or a model trained from one) is accepted too, by the one id rule of util/series-id.
   * `positional` wins over `option` (commands take either form); `processedDir` overrides data.processedDir.
   */
  targets(positional: string | undefined, option?: string, processedDir?: string): string[];
  /** Writes a line to stdout (results), keeping stderr for logs and progress. */
  out(line: string): void;
}

export function createContext(program: Command): CliContext {
  let cached: Config | undefined;
  const ctx: CliContext = {
    config() {
      if (!cached) cached = lazy.config().loadConfig(program.opts().config as string | undefined);
      return cached;
    },
    countries(arg) {
      return sharded(lazy.countries().parseCountries(arg, ctx.config().countries));
    },
    targets(positional, option, processedDir) {
      return sharded(resolveTargets(positional, option, processedDir));
    },
    out(line) {
      process.stdout.write(line + '\n');
    },
  };
  /** The part of a target list that belongs to this process's --shard (all of it without one). */
  function sharded(ids: string[]): string[] {
    const { parseShard, inShard } = lazy.shard();
    const shard = parseShard(program.opts().shard as string | undefined);
    const mine = inShard(ids, shard);
    if (shard) log.info(`shard ${shard.index}/${shard.count}: ${mine.length} of ${ids.length} series${mine.length ? ` (${mine.slice(0, 8).join(', ')}${mine.length > 8 ? ', …' : ''})` : ''}`);
    return mine;
  }
  function resolveTargets(positional: string | undefined, option: string | undefined, processedDir: string | undefined): string[] {
    const arg = positional ?? option;
    if (!arg || arg.trim().toLowerCase() === 'all') return [...ctx.config().countries];
    if (arg.trim().toLowerCase() === 'world') return lazy.countries().knownCountryCodes();
    const dir = processedDir ?? ctx.config().data.processedDir;
    const items = [...new Set(arg.split(',').map((s) => s.trim()).filter(Boolean))];
    if (items.length === 0) throw new InputError(`Expected a country list such as AT, AT,DE or all, or an imported --id; got "${arg}"`);
    return [
      ...new Set(
        items.map((item) => {
          const { checkSeriesId, isCountryCode } = lazy.seriesId();
          const id = checkSeriesId(item, 'country or dataset id');
          // An imported table or a model under exactly this name wins; country codes are then matched in any case.
          if (fs.existsSync(processedPaths(dir, item).meta) || fs.existsSync(resultDirs.model(item))) return item;
          if (isCountryCode(id)) return id;
          throw new InputError(
            `Unknown country or dataset "${item}": it is not an ISO 3166-1 alpha-2 code (AT, a list AT,DE, or "all" for ${ctx.config().countries.join(', ')}) ` +
              `and there is no imported table ${processedPaths(dir, item).meta}. Import it first: radarwatch import FILE.csv --id ${item}`,
          );
        }),
      ),
    ];
  }
  return ctx;
}

/** The shared positional/option text for country arguments. */
export const COUNTRY_HELP = 'country: ISO alpha-2 code (AT), the --id of an imported CSV (ms_api01), a comma list (AT,DE), "all" (the models.yml list) or "world" (every country Radar covers)';

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
  return { results, failure: failureOf(names.what, failures, countries.length) };
}

/** The error that ends a command after some of its `total` countries failed (`failures`: "CC: why"), or undefined. */
export function failureOf(what: string, failures: string[], total: number): RadarwatchError | undefined {
  return failures.length ? new RadarwatchError(`${what} failed for ${failures.length} of ${total}: ${failures.join('; ')}`) : undefined;
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
