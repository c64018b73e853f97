/** Worker-thread entry of fleet training: loads, trains and saves one country per message, reporting epochs back. */
import { parentPort, workerData } from 'worker_threads';
import { trainAndSave, type FleetJob, type WarmStart, type WorkerMessage } from './fleet';

const data = workerData as FleetJob;
const port = parentPort;
if (port) {
  port.on('message', (msg: { country: string; warm?: WarmStart }) => {
    // postMessage returns a boolean in Node; a bare arrow would hand `true` to onEpoch, which means "stop".
    const send = (m: WorkerMessage): void => {
      port.postMessage(m);
    };
    void trainAndSave(msg.country, data, (e) => send({ type: 'epoch', country: msg.country, ...e }), false, msg.warm).then(
      (summary) => send({ type: 'done', summary }),
      (e: Error) => send({ type: 'done', summary: { country: msg.country, ok: false, error: `${e.name}: ${e.message}` } }),
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
}
