import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConfig } from '../../src/config/load';
import { createApp } from '../../src/server/app';
import { listen, type RunningServer } from '../../src/server/listen';
import { createFakeService } from './fake-service';
import { commitCycle } from './live-fixture';

const config = parseConfig({ countries: ['AT', 'DE'], dateRange: { from: '2025-01-01', to: '2025-06-30' } });
const T = Date.UTC(2025, 6, 1);

/** One SSE message as received. */
interface Message {
  event: string;
  id?: string;
  data: unknown;
  at: number;
}

/** A listener on /api/stream that collects messages; `next(pred)` waits for one. */
async function listenTo(url: string, headers: Record<string, string> = {}) {
  const ctl = new AbortController();
  const res = await fetch(url, { headers, signal: ctl.signal });
  const messages: Message[] = [];
  const waiters: { pred: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  let ended = false;
  const done = (async () => {
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buf += dec.decode(value, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const m: Message = { event: 'message', data: undefined, at: Date.now() };
          let data: string | undefined;
          for (const line of block.split('\n')) {
            const [k, ...v] = line.split(': ');
            if (k === 'event') m.event = v.join(': ');
            else if (k === 'id') m.id = v.join(': ');
            else if (k === 'data') data = v.join(': ');
          }
          if (data === undefined) continue; // comments, retry
          m.data = JSON.parse(data);
          messages.push(m);
          for (const w of [...waiters]) if (w.pred(m)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  return {
    res,
    messages,
    ended: () => ended,
    done,
    next(pred: (m: Message) => boolean, timeoutMs = 3000): Promise<Message> {
      const seen = messages.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages.map((x) => x.event))}`)), timeoutMs);
        waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
      });
    },
    close: () => ctl.abort(),
  };
}

describe('server/stream (GET /api/stream)', () => {
  let dir: string;
  let srv: RunningServer;
  const db = () => path.join(dir, 'watch.db');

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-stream-'));
    srv = await listen(createApp({ service: createFakeService(['AT', 'DE']), config, watchDb: db(), stream: { pollMs: 100, maxClients: 2 } }), { host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when a page listens and a watcher starts later and opens an event, then the alert arrives within a poll or two of its commit', async () => {
    const l = await listenTo(srv.url + '/api/stream');
    assert.equal(l.res.status, 200);
    assert.match(l.res.headers.get('content-type')!, /^text\/event-stream/);
    assert.deepEqual((await l.next((m) => m.event === 'hello')).data, { watch: false, configured: true });
    const committed = Date.now();
    assert.deepEqual(commitCycle(db(), 'AT', 'AA', T), ['event_opened']);
    const m = await l.next((x) => x.event === 'alert');
    const alert = m.data as { type: string; country: string; event: { start: string; status: string } };
    assert.deepEqual([alert.type, alert.country, alert.event.start, alert.event.status], ['event_opened', 'AT', '2025-07-01T00:00:00.000Z', 'open']);
    assert.equal(m.id, '1');
    assert.ok(m.at - committed < 1000, `arrived after ${m.at - committed} ms`);
    await l.next((x) => x.event === 'changed');
    l.close();
  });

  it('when a page reconnects with Last-Event-ID, then it receives the alerts it missed, and only those', async () => {
    const first = await listenTo(srv.url + '/api/stream');
    await first.next((m) => m.event === 'hello');
    commitCycle(db(), 'AT', 'AA', T);
    await first.next((m) => m.event === 'alert');
    commitCycle(db(), 'AT', '...', T + 2 * 3_600_000); // closes the event
    commitCycle(db(), 'DE', 'AA', T);
    await first.next((m) => m.event === 'alert' && (m.data as { country: string }).country === 'DE');
    const again = await listenTo(srv.url + '/api/stream', { 'last-event-id': '1' });
    await again.next((m) => m.event === 'hello');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      again.messages.filter((m) => m.event === 'alert').map((m) => [m.id, (m.data as { type: string; country: string }).type, (m.data as { country: string }).country]),
      [
        ['2', 'event_closed', 'AT'],
        ['3', 'event_opened', 'DE'],
      ],
    );
    first.close();
    again.close();
  });

  it('when more pages listen than allowed, then the extra one gets 503 with Retry-After', async () => {
    const a = await listenTo(srv.url + '/api/stream');
    const b = await listenTo(srv.url + '/api/stream');
    const c = await fetch(srv.url + '/api/stream');
    assert.equal(c.status, 503);
    assert.equal(c.headers.get('retry-after'), '1');
    assert.equal(((await c.json()) as { error: { code: string } }).error.code, 'BUSY');
    a.close();
    b.close();
  });

  it('when the server closes, then open streams end at once instead of holding it for the grace period', async () => {
    const l = await listenTo(srv.url + '/api/stream');
    await l.next((m) => m.event === 'hello');
    const t0 = Date.now();
    await srv.close(5000);
    await l.done;
    assert.ok(l.ended());
    assert.ok(Date.now() - t0 < 1000, `close took ${Date.now() - t0} ms`);
  });
});
