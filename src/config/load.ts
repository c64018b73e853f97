/** Loads models.yml, validates it with the one schema and resolves per-country settings (defaults → file → overrides → tuned → CLI flags). */
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { ConfigError } from '../errors';
import { knownCountryCodes } from '../util/countries';
import { configSchema, overrideSchema, stagesShape, type Config } from './schema';
import { z } from 'zod';

const overridesSchema = z.record(z.string(), overrideSchema);

/** Default location of the project config. */
export const DEFAULT_CONFIG_PATH = 'models.yml';

/** Formats zod issues as `key: got <value>, expected <what>` lines. */
export function formatIssues(issues: z.core.$ZodIssue[], input: unknown, file: string): string {
  const lines = issues.map((i) => {
    const key = i.path.length ? i.path.join('.') : '(root)';
    const got = valueAt(input, i.path as (string | number)[]);
    const gotText = got === undefined ? 'nothing' : JSON.stringify(got);
    let expected = i.message;
    if (i.code === 'unrecognized_keys') {
      expected = `unknown key(s) ${(i as { keys: string[] }).keys.map((k) => `"${k}"`).join(', ')}; remove or rename them`;
      return `${file}: ${key}: ${expected}`;
    }
    if (i.code === 'invalid_value') expected = `one of ${(i as { values: unknown[] }).values.map((v) => JSON.stringify(v)).join(', ')}`;
    return `${file}: ${key}: got ${gotText}, expected ${expected}`;
  });
  return lines.join('\n');
}

function valueAt(obj: unknown, p: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** Validates a plain object as a Config; throws ConfigError naming each bad key, value and what is allowed. */
export function parseConfig(raw: unknown, file = 'config'): Config {
  const r = configSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(`Invalid configuration:\n${formatIssues(r.error.issues, raw, file)}`);
  const s = r.data.train.split;
  if (Math.abs(s.train + s.validation + s.test - 1) > 1e-6) {
    throw new ConfigError(`${file}: train.split: got ${JSON.stringify(s)}, expected shares that sum to 1`);
  }
  if (r.data.dateRange.from > r.data.dateRange.to) {
    throw new ConfigError(`${file}: dateRange: from ${r.data.dateRange.from} is after to ${r.data.dateRange.to}`);
  }
  checkCountryCodes(r.data, file);
  return r.data;
}

/**
 * `countries` (and two-letter `overrides` keys) must be Radar locations: ISO 3166-1 alpha-2 codes of the known
 * list, so a typo fails here, at load, instead of as an HTTP 400 from Radar halfway through a fetch.
 */
function checkCountryCodes(cfg: Config, file: string): void {
  const known = new Set(knownCountryCodes());
  const bad = (key: string, code: string) =>
    new ConfigError(`${file}: ${key}: "${code}" is not a known country code; expected an ISO 3166-1 alpha-2 code Radar covers, such as AT, DE or US (${known.size} known). Imported series ids (radarwatch import --id) are named on the command line, not in countries.`);
  cfg.countries.forEach((cc, i) => {
    if (!known.has(cc)) throw bad(`countries.${i}`, cc);
  });
  for (const key of Object.keys(cfg.overrides)) if (/^[A-Z]{2}$/.test(key) && !known.has(key)) throw bad(`overrides.${key}`, key);
}

/** Stages that shape a trained network: a saved model's values for these must validate exactly. */
export const MODEL_STAGES = ['features', 'model', 'train'] as const;

/**
 * Validates the resolved config saved with a model. The model-defining stages (features, model, train) must
 * validate as they are; any other stage that no longer matches today's schema (keys added or renamed since the model
 * was trained) falls back to today's defaults, because those settings are re-read from models.yml at use anyway.
 * Returns the zod result so the caller can name the file in its error.
 */
export function parseSavedConfig(raw: unknown): ReturnType<typeof configSchema.safeParse> {
  if (raw === null || typeof raw !== 'object') return configSchema.safeParse(raw);
  const obj: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const [key, schema] of Object.entries(stagesShape)) {
    if ((MODEL_STAGES as readonly string[]).includes(key) || !(key in obj)) continue;
    if (!schema.safeParse(obj[key]).success) delete obj[key];
  }
  if (obj.overrides !== undefined && !overridesSchema.safeParse(obj.overrides).success) delete obj.overrides;
  return configSchema.safeParse(obj);
}

/** Reads and validates models.yml (or `file`). */
export function loadConfig(file: string = process.env.RADARWATCH_CONFIG ?? DEFAULT_CONFIG_PATH): Config {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new ConfigError(`Config file not found: ${abs}. Expected models.yml in the working directory, or pass --config FILE.`);
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(abs, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file} is not valid YAML: ${(e as Error).message}`);
  }
  return parseConfig(raw ?? {}, path.basename(file));
}

type Plain = Record<string, unknown>;
function isPlain(v: unknown): v is Plain {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, arrays and scalars replace. Returns a new object. */
export function deepMerge<T>(base: T, patch: unknown): T {
  if (!isPlain(base) || !isPlain(patch)) return (patch === undefined ? base : patch) as T;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    out[k] = isPlain(v) && isPlain(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out as T;
}

/** Sets a dotted path (`model.hiddenUnits.0`) in a copy of `obj`. */
export function setPath<T>(obj: T, dotted: string, value: unknown): T {
  const keys = dotted.split('.');
  const copy = structuredClone(obj) as unknown as Plain;
  let cur: Plain | unknown[] = copy;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i];
    const next = (cur as Plain)[k];
    if (next === undefined || next === null || typeof next !== 'object') throw new ConfigError(`Config path "${dotted}": "${keys.slice(0, i + 1).join('.')}" is not an object or list`);
    cur = next as Plain;
  }
  (cur as Plain)[keys[keys.length - 1]] = value;
  return copy as unknown as T;
}

/**
 * The settings one country runs with: defaults and file, then the file's `overrides.<CC>`, then
 * tuned parameters (`results/tuning/<CC>/best.json`, when present), then `cliPatch`. Re-validated.
 */
export function resolveCountryConfig(cfg: Config, country: string, opts: { tuned?: Record<string, unknown>; cliPatch?: unknown } = {}): Config {
  let merged: Config = deepMerge(cfg, cfg.overrides[country] ?? {});
  if (opts.tuned) {
    for (const [k, v] of Object.entries(opts.tuned)) merged = applyParam(merged, k, v);
  }
  if (opts.cliPatch) merged = deepMerge(merged, opts.cliPatch);
  return parseConfig(merged, `resolved config of ${country}`);
}

/** Applies one searched parameter; `model.catShare` s sets catWeight = s and contWeight = 1 - s. */
export function applyParam(cfg: Config, key: string, value: unknown): Config {
  if (key === 'model.catShare') {
    const s = Number(value);
    return deepMerge(cfg, { model: { catWeight: s, contWeight: 1 - s } });
  }
  return setPath(cfg, key, value);
}
