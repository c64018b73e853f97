import { strict as assert } from 'assert';
import { createGenerator } from '../../../src/data/generator/simulate';
import { isOutageKind, labelWindows, outageAnnotation, pipelineAnnotation, trafficAnomalyItem } from '../../../src/data/generator/labels';
import { ANOMALY_KINDS } from '../../../src/base/labels';

const FROM = Date.UTC(2023, 0, 1);
const TO = Date.UTC(2026, 0, 1);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('data/generator/labels', () => {
  const gen = createGenerator({ seed: 42 });
  const anomalies = gen.anomalies('SA', FROM, TO);

  it('shapes outages as /annotations/outages items: NATIONWIDE for outage, REGIONAL for partial_outage', () => {
    const outages = anomalies.filter((a) => isOutageKind(a.kind));
    assert.ok(outages.length > 5);
    for (const a of outages) {
      const item = outageAnnotation(a);
      assert.deepEqual(Object.keys(item).sort(), ['asns', 'asnsDetails', 'dataSource', 'description', 'endDate', 'eventType', 'id', 'linkedUrl', 'locations', 'locationsDetails', 'outage', 'radarwatchKind', 'scope', 'startDate'].sort());
      assert.match(item.id, /^\d+$/);
      assert.equal(item.eventType, 'OUTAGE');
      assert.equal(item.dataSource, 'ALL');
      assert.deepEqual(item.locations, ['SA']);
      assert.deepEqual(item.locationsDetails, [{ code: 'SA', name: 'Saudi Arabia' }]);
      assert.equal(item.outage.outageType, a.kind === 'outage' ? 'NATIONWIDE' : 'REGIONAL');
      assert.equal(item.radarwatchKind, a.kind);
      assert.match(item.startDate, ISO);
      assert.equal(Date.parse(item.endDate!), a.end);
      assert.ok(item.outage.outageCause.length > 0);
    }
    assert.throws(() => outageAnnotation(anomalies.find((a) => !isOutageKind(a.kind))!), /trafficAnomalyItem/);
  });

  it('shapes the other kinds as verified LOCATION /traffic_anomalies items with UUIDs and data sources', () => {
    const others = anomalies.filter((a) => !isOutageKind(a.kind));
    assert.ok(others.length > 10);
    for (const a of others) {
      const item = trafficAnomalyItem(a);
      assert.match(item.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(item.type, 'LOCATION');
      assert.equal(item.status, 'VERIFIED');
      assert.deepEqual(item.locationDetails, { code: 'SA', name: 'Saudi Arabia' });
      assert.equal(item.radarwatchKind, a.kind);
      assert.ok(item.visibleInDataSources.length > 0);
    }
    const l3 = others.find((a) => a.kind === 'l3_ddos')!;
    assert.deepEqual(trafficAnomalyItem(l3).visibleInDataSources, ['DOS']);
  });

  it('reports endDate null for an anomaly still running at "now", like Radar does for ongoing events', () => {
    const a = anomalies[3];
    const during = a.start + (a.end - a.start) / 2;
    const item = isOutageKind(a.kind) ? outageAnnotation(a, during) : trafficAnomalyItem(a, during);
    assert.equal(item.endDate, null);
    const after = isOutageKind(a.kind) ? outageAnnotation(a, a.end) : trafficAnomalyItem(a, a.end);
    assert.equal(after.endDate, new Date(a.end).toISOString().replace('.000Z', 'Z'));
  });

  it('returns plain LabelWindows with the Radar ids, source synthetic, for every kind', () => {
    const windows = gen.labels('SA', FROM, TO);
    assert.deepEqual(windows, labelWindows(anomalies));
    assert.deepEqual(new Set(windows.map((w) => w.kind)), new Set(ANOMALY_KINDS));
    windows.forEach((w, i) => {
      assert.equal(w.source, 'synthetic');
      assert.equal(w.id, anomalies[i].id);
      assert.ok(w.start < w.end);
      assert.match(w.start, ISO);
    });
  });

  it('shapes PIPELINE windows as /annotations items', () => {
    const windows = createGenerator({ seed: 1, unreliableRate: 0.01 }).pipeline('AT', FROM, Date.UTC(2023, 2, 1));
    assert.ok(windows.length > 3);
    const item = pipelineAnnotation(windows[0]);
    assert.equal(item.eventType, 'PIPELINE');
    assert.equal(item.dataSource, windows[0].dataSource);
    assert.equal(Date.parse(item.endDate!) - Date.parse(item.startDate), windows[0].end - windows[0].start);
  });
});
