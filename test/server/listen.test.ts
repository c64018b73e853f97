import { strict as assert } from 'assert';
import { parseConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';
import { createApp } from '../../src/server/app';
import { listen } from '../../src/server/listen';
import { createFakeService } from './fake-service';

const config = parseConfig({ countries: ['AT'], dateRange: { from: '2025-01-01', to: '2025-06-30' } });

describe('server/listen', () => {
  it('when port 0 is asked, then a free port is taken and the URL names it', async () => {
    const s = await listen(createApp({ service: createFakeService(), config }), { host: '127.0.0.1', port: 0 });
    try {
      assert.ok(s.port > 0);
      assert.equal(s.url, `http://127.0.0.1:${s.port}`);
      assert.equal((await fetch(s.url + '/api/health')).status, 200);
    } finally {
      await s.close();
    }
  });

  it('when the port is already taken, then ConfigError says so and suggests --port', async () => {
    const a = await listen(createApp({ service: createFakeService(), config }), { host: '127.0.0.1', port: 0 });
    try {
      await assert.rejects(listen(createApp({ service: createFakeService(), config }), { host: '127.0.0.1', port: a.port }), (e: Error) => e instanceof ConfigError && /already in use; pass another --port/.test(e.message));
    } finally {
      await a.close();
    }
  });

  it('when a keep-alive client is still connected, then close() still finishes and the port stops answering', async () => {
    const s = await listen(createApp({ service: createFakeService(), config }), { host: '127.0.0.1', port: 0 });
    // fetch keeps the socket open for reuse; close() must not wait for its idle timeout
    assert.equal((await fetch(s.url + '/api/health')).status, 200);
    await s.close(1000);
    assert.equal(s.server.listening, false);
    await assert.rejects(fetch(s.url + '/api/health'));
  });
});
