/** Typed errors of radarwatch: library code throws them, only the CLI's main() and the server's error middleware catch them. */

/** Base class: every radarwatch error has a stable `code` and a message that says what was wrong, what was expected and how to fix it. */
export class RadarwatchError extends Error {
  readonly code: string = 'RADARWATCH_ERROR';
  /** HTTP status the server maps this error to. */
  readonly status: number = 500;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** models.yml or a CLI flag is invalid. */
export class ConfigError extends RadarwatchError {
  override readonly code = 'CONFIG_ERROR';
  override readonly status = 400;
}

/** Input data (a dataset, a CSV, a model folder) is missing or malformed. */
export class DataError extends RadarwatchError {
  override readonly code = 'DATA_ERROR';
  override readonly status = 422;
}

/** A user request (CLI argument, HTTP query) is invalid. */
export class InputError extends RadarwatchError {
  override readonly code = 'INPUT_ERROR';
  override readonly status = 400;
}

/** Something named (a country, a model, a study) does not exist. */
export class NotFoundError extends RadarwatchError {
  override readonly code = 'NOT_FOUND';
  override readonly status = 404;
}

/** A post-processing step was applied before it was fitted. */
export class NotFittedError extends RadarwatchError {
  override readonly code = 'NOT_FITTED';
  override readonly status = 409;
}

/** A Radar API call failed: names endpoint, country, window and the API's own message. */
export class RadarApiError extends RadarwatchError {
  override readonly code = 'RADAR_API_ERROR';
  override readonly status = 502;
  constructor(
    message: string,
    readonly details: { endpoint: string; country?: string; window?: string; httpStatus?: number; apiMessage?: string; retryable?: boolean } = { endpoint: '' },
  ) {
    super(message);
  }
}

/** The Optuna bridge (Python process) is missing or failed. */
export class TuneError extends RadarwatchError {
  override readonly code = 'TUNE_ERROR';
  override readonly status = 500;
}

/** True for errors radarwatch raised on purpose (as opposed to bugs). */
export function isRadarwatchError(e: unknown): e is RadarwatchError {
  return e instanceof RadarwatchError;
}
