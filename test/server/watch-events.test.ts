import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConfig } from '../../src/config/load';
import { createApp } from '../../src/server/app';
import { listen, type RunningServer } from '../../src/server/listen';
import { makeWatchDb } from './watch-fixture';
import { createFakeService } from './fake-service';

const config = parseConfig({ countries: ['AT', 'DE'], dateRange: { from: '2025-01-01', to: '2025-06-30' } });
describe('server/app: watch events in /api/events', () => {
  let dir: string;
  let withDb: RunningServer;
  let missingDb: RunningServer;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-watch-events-'));
    makeWatchDb(path.join(dir, 'watch.db'));
    withDb = await listen(createApp({ service: createFakeService(['AT', 'DE']), config, watchDb: path.join(dir, 'watch.db') }), { host: '127.0.0.1', port: 0 });
    missingDb = await listen(createApp({ service: createFakeService(['AT', 'DE']), config, watchDb: path.join(dir, 'none.db') }), { host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await withDb.close();
    await missingDb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function events(srv: RunningServer, query: string): Promise<{ events: unknown[]; alerts?: { id: string; status: string; source: string; start: string; end: string; cause: string }[] }> {
    const res = await fetch(`${srv.url}/api/events?${query}`);
    assert.equal(res.status, 200);
    return (await res.json()) as never;
  }

  it('when a watch database exists, then the watcher events overlapping the range come back under alerts, as last announced', async () => {
    const r = await events(withDb, 'country=AT&from=2025-06-19&to=2025-06-30');
    assert.ok(r.events.length > 0, 'the detection service events are still there');
    assert.deepEqual(
      r.alerts!.map((a) => [a.id, a.status, a.source, a.start, a.end, a.cause]),
      [
        ['AT-20250620T02', 'closed', 'watch', '2025-06-20T02:00:00.000Z', '2025-06-20T05:00:00.000Z', 'outage'],
        ['AT-20250626T03', 'open', 'watch', '2025-06-26T03:00:00.000Z', '2025-06-26T05:00:00.000Z', 'outage'],
      ],
    );
  });

  it('when the range ends before an event or starts after a closed one, then that event is left out', async () => {
    assert.deepEqual((await events(withDb, 'country=AT&from=2025-06-21&to=2025-06-25')).alerts, []);
    assert.deepEqual((await events(withDb, 'country=AT&date=2025-06-20')).alerts!.map((a) => a.id), ['AT-20250620T02']);
    assert.deepEqual((await events(withDb, 'country=DE&from=2025-06-19&to=2025-06-30')).alerts, []);
  });

  it('when no watch database exists, then the answer is unchanged (no alerts key)', async () => {
    const r = await events(missingDb, 'country=AT&from=2025-06-24&to=2025-06-30');
    assert.deepEqual(Object.keys(r), ['country', 'from', 'to', 'events']);
  });
});
