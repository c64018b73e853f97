/** What the HTTP server needs from the rest of radarwatch, injected so the app can be built and tested without trained models. */
import type { Config } from '../config/schema';
import type { WindowSummary } from '../detect/summary';
import type { DetectResult } from '../detect/types';

/** One country the service has a model for. All times are ISO-8601 UTC. */
export interface ServedCountry {
  /** ISO 3166-1 alpha-2 code, upper case. */
  code: string;
  name: string;
  /** First hour of the model's training data. */
  trainedFrom: string;
  /** End (exclusive) of the model's training data. */
  trainedTo: string;
  /** First hour of data available for detection. */
  dataFrom: string;
  /** End (exclusive) of data available for detection, like `DetectResult.to`. */
  dataTo: string;
}

/** A country the service could not load, and why. */
export interface DegradedCountry {
  country: string;
  reason: string;
}

/** What a detection service holds in memory now; `/api/health` reports it as `cache`. */
export interface ServiceCacheStats {
  /** `lazy`: countries load on their first request; `preloaded`: every model was loaded and scored at start. */
  mode: 'lazy' | 'preloaded';
  /** Countries loaded now, and loads in flight. */
  loaded: number;
  loading: number;
  /** Estimated memory of the loaded countries (tables, model files, scored blocks), MB. */
  megabytes: number;
  /** The configured bounds (server.cache; 0 = none). */
  maxCountries: number;
  maxMegabytes: number;
  /** Loads and evictions since start. */
  loads: number;
  evictions: number;
  /** JSON answers of small requests kept with their country (DetectionService.detectJson), and how often one was reused. */
  answers?: { kept: number; hits: number; misses: number };
}

/** Scores countries over date ranges: found at server start, each loaded on its first request (or all at start with server.preload). */
export interface DetectionService {
  /** Countries the service can serve (their models passed the checks that ran so far), sorted by code. */
  countries(): ServedCountry[];
  /**
   * Scores `country` over the hours starting in [from, to).
   * Throws NotFoundError for an unknown country and DataError for a range outside the data.
   */
  detect(country: string, from: Date, to: Date, opts: { series: boolean }): Promise<DetectResult>;
  /**
   * detect() as its JSON body (UTF-8); optional. The service may keep recent bodies with their country and answer a
   * repeated range from them (a served table and model do not change while loaded). Throws like detect().
   */
  detectJson?(country: string, from: Date, to: Date, opts: { series: boolean }): Promise<Buffer>;
  /**
   * The same range condensed for the overview (peak probability, anomalous rows, newest row, events) without building
   * the per-hour rows; optional: the overview falls back to `detect()` and summarizeDetectResult. Throws like detect().
   * A served country's answers for a range do not change while it is served: the overview keeps its summaries
   * (SummaryMemo) from one build to the next, keyed by the countries() entry.
   */
  summarize?(country: string, from: Date, to: Date): Promise<WindowSummary>;
  /**
   * Countries that have a model folder but are not served (a file failed its checks at start or when the country was
   * first loaded, no calibration, no table), each with the one-line reason; `/api/health` reports them as `degraded`.
   */
  degraded?(): DegradedCountry[];
  /** What is loaded now and the cache's bounds; optional (a service without a cache has nothing to report). */
  cache?(): ServiceCacheStats;
  /** Releases models (tensors); called once when the server shuts down. */
  close?(): void | Promise<void>;
}

/** Everything `createApp` is built from. */
export interface AppDeps {
  service: DetectionService;
  config: Config;
  /** Folder of the web page; defaults to the packaged `src/server/public`. */
  staticDir?: string;
}
