/** Placeholder for the detection service the server runs on; the real one loads every saved model once (to be written by the detect/ owner). */
import type { Config } from '../config/schema';
import { NotFittedError } from '../errors';
import type { DetectionService } from '../server/deps';

/** Loads every saved model under results/models and returns the service `radarwatch serve` answers from. */
export async function createDetectionService(_cfg: Config): Promise<DetectionService> {
  throw new NotFittedError('No models loaded; run radarwatch train … first (the detection service is not implemented yet)');
}
