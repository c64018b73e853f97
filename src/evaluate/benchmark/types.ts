/** The contract between the quality benchmark and the detectors it measures: labelled series in, per-row scores and flags out. */
import type { Config } from '../../config/schema';
import type { CountryFrame } from '../../data/types';

/**
 * One labelled series of a benchmark data set. Rows [0, fitEnd) may be used to fit (train + calibrate, the detector
 * splits them itself); every row is scored causally; metrics are computed on rows [evalStart, n).
 */
export interface BenchSeries {
  dataset: string;
  name: string;
  frame: CountryFrame;
  fitEnd: number;
  evalStart: number;
  /**
   * NAB only: the file's own rows (deduplicated timestamps, epoch ms, ascending), the frame row each maps to (the
   * grid cell holding it), and the labelled windows as inclusive [start, end] row indices of those rows. NAB scores
   * are computed on these rows, so probation and window positions are NAB's, not the regular grid's.
   */
  nab?: { timestamps: number[]; row: Int32Array; windows: [number, number][] };
}

export interface DetectorRun {
  /** Anomaly score per row, higher = more anomalous (the calibrated detectors: the log-odds of their probability); NaN = not scorable (warm-up). */
  score: Float64Array;
  /** Rows flagged at the detector's own calibrated threshold. */
  flagged: Uint8Array;
  seconds: number;
  /** Optional notes (e.g. the fitted threshold), copied into the per-series results. */
  info?: Record<string, unknown>;
}

export interface BenchDetector {
  name: string;
  description: string;
  /** Trains a network, seeded by cfg.train.seed: runs once per training seed of QualityOptions.seeds. */
  learned?: boolean;
  /** `peers`: every series of the data set (s among them), which a learned detector may pool (a fleet's warm start). */
  run(s: BenchSeries, cfg: Config, peers?: readonly BenchSeries[]): Promise<DetectorRun>;
}

/** One benchmark data set: a name, a one-line description, and a loader that may return no series (missing files). */
export interface BenchDataset {
  name: string;
  description: string;
  /** 'nab' data sets are also scored with the NAB rules. */
  scoring: 'events' | 'nab';
  load(opts: { quick: boolean; cfg: Config }): Promise<BenchSeries[]>;
}
