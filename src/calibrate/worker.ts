/** Worker-thread entry of `calibrate` over several countries: one country per task. */
import type { Config } from '../config/schema';
import { initBackend } from '../model/backend';
import { serveTasks } from '../util/pool';
import { calibrateCountry } from './country';

serveTasks<{ config: Config; method?: string }>(async (payload, job) => {
  await initBackend();
  return calibrateCountry(job.config, payload as string, job.method);
});
