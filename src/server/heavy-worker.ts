/** Worker-thread entry of the heavy lane: its own detection service answers long ranges (and series) off the HTTP event loop, returning serialized JSON. */
import { parentPort, workerData } from 'worker_threads';
import type { Config } from '../config/schema';
import { createDetectionService } from '../detect/service';
import { isRadarwatchError } from '../errors';
import type { LaneReply, LaneRequest } from './heavy-lane';

const data = workerData as { cfg: Config; countries?: string[] };
const port = parentPort;
if (port) {
  void createDetectionService(data.cfg, { countries: data.countries }).then(
    (service) => {
      // the lane stops this thread with terminate(); there is nothing to save
      port.on('message', (m: LaneRequest) => {
        void (async () => {
          try {
            const r = await service.detect(m.country, new Date(m.from), new Date(m.to), { series: m.series });
            if (m.type === 'events') {
              port.postMessage({ id: m.id, value: { country: r.country, from: r.from, to: r.to, events: r.events } } satisfies LaneReply);
            } else {
              // TextEncoder gives the bytes their own buffer (a small Buffer.from would share Node's pool), which is
              // then transferred rather than copied across threads
              const bytes = new TextEncoder().encode(JSON.stringify(r));
              port.postMessage({ id: m.id, body: bytes } satisfies LaneReply, [bytes.buffer as ArrayBuffer]);
            }
          } catch (e) {
            const err = e as Error & { status?: number; code?: string };
            const typed = isRadarwatchError(e);
            port.postMessage({ id: m.id, error: { name: err.name, message: typed ? err.message : String(err.stack ?? err), status: typed ? (err.status ?? 500) : 500, code: typed ? (err.code ?? 'RADARWATCH_ERROR') : 'INTERNAL_ERROR', typed } } satisfies LaneReply);
          }
        })();
      });
      port.postMessage({ ready: true, countries: service.countries().map((c) => c.code) } satisfies LaneReply);
    },
    (e: Error) => port.postMessage({ ready: false, error: { name: e.name, message: e.message, status: 500, code: 'LANE_START_FAILED', typed: isRadarwatchError(e) } } satisfies LaneReply),
  );
}
