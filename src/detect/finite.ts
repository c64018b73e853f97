/** The guard between a model and its verdicts: a score that is not a finite number is an error, never "not anomalous". */
import { DataError } from '../errors';

/**
 * Throws DataError naming the first hour whose score is NaN or ±Infinity (`score > threshold` is false for NaN, so
 * without this a broken model reports a quiet day). `timestamps` are the rows' hour starts (epoch ms).
 */
export function assertFiniteScores(score: ArrayLike<number>, timestamps: ArrayLike<number>, id: string): void {
  for (let r = 0; r < score.length; r++) {
    if (Number.isFinite(score[r])) continue;
    let bad = 0;
    for (let k = r; k < score.length; k++) if (!Number.isFinite(score[k])) bad++;
    throw new DataError(
      `${id}: the model scored ${new Date(timestamps[r]).toISOString()} as ${score[r]} (${bad} of ${score.length} hours non-finite); expected finite scores. ` +
        `The model folder or the input table is corrupt: retrain (radarwatch train ${id}) or re-run preprocess.`,
    );
  }
}
