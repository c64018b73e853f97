/** Worker-thread entry of fleet training: loads, trains and saves one country per task, reporting epochs back. */
import { serveTasks } from '../util/pool';
import { trainAndSave, type FleetJob, type WarmStart } from './fleet';

serveTasks<FleetJob>((payload, job, progress) => {
  const { country, warm } = payload as { country: string; warm?: WarmStart };
  return trainAndSave(country, job, (e) => progress(e), false, warm);
});
