import { strict as assert } from 'assert';
import { RAW_SERIES, ENDPOINTS, endpointFor, parseSeries } from '../../src/radar/endpoints';
import { InputError } from '../../src/errors';

describe('radar/endpoints', () => {
  it('has one frozen entry per raw series, keyed by its name', () => {
    assert.deepEqual(Object.keys(ENDPOINTS).sort(), [...RAW_SERIES].sort());
    for (const s of RAW_SERIES) assert.equal(ENDPOINTS[s].series, s);
    assert.ok(Object.isFrozen(ENDPOINTS) && Object.isFrozen(ENDPOINTS.http) && Object.isFrozen(ENDPOINTS.http.params));
    assert.throws(() => {
      (ENDPOINTS.http.params as Record<string, string>).aggInterval = '15m';
    }, TypeError);
  });

  it('hourly series ask for aggInterval=1h except BGP IPs, which has no such parameter; labels are paged feeds', () => {
    assert.deepEqual(RAW_SERIES.filter((s) => ENDPOINTS[s].params.aggInterval === '1h'), ['http', 'bot_class', 'netflows', 'l3', 'l7']);
    assert.equal(ENDPOINTS.l3.params.direction, 'TARGET');
    assert.equal(ENDPOINTS.netflows.params.product, 'ALL');
    assert.deepEqual([ENDPOINTS.outages.labelKey, ENDPOINTS.anomalies.labelKey], ['annotations', 'trafficAnomalies']);
  });

  it('an unknown name throws and lists the valid ones; --series parses lists and "all"', () => {
    assert.throws(() => endpointFor('dns'), (e: unknown) => e instanceof InputError && /Unknown Radar series "dns"\. Expected one of: http, bot_class, netflows, l3, l7, bgp_ips, outages, anomalies/.test(e.message));
    assert.throws(() => endpointFor('toString'), InputError);
    assert.deepEqual(parseSeries('http, l3,http'), ['http', 'l3']);
    assert.deepEqual(parseSeries('all'), [...RAW_SERIES]);
    assert.deepEqual(parseSeries(undefined), [...RAW_SERIES]);
  });
});
