import { strict as assert } from 'assert';
import { mergeLabels } from '../../src/base/labels';
import { annotationWindows, anomalyLabels, outageLabels } from '../../src/radar/labels';
import type { RadarAnnotation } from '../../src/radar/parse';
import { DataError } from '../../src/errors';

const T = (d: number, h: number, m = 0) => Date.UTC(2025, 0, d, h, m);
const opts = { country: 'SY', rangeEnd: T(31, 0) };

// Shapes as in radar-api.md §4 (real 2025-01 capture) and §5.
const syCableCut = {
  id: '1069', dataSource: 'ALL', description: 'Outage due to sabotage and two cable cuts', scope: null,
  startDate: '2025-01-23T21:15:00Z', endDate: '2025-01-24T05:45:00Z', locations: ['SY'], asns: [29256], eventType: 'OUTAGE',
  asnsDetails: [{ asn: '29256', name: 'INT-PDN-STE-AS', location: { code: 'SY', name: 'Syria' } }],
  locationsDetails: [{ name: 'Syria', code: 'SY' }], outage: { outageCause: 'CABLE_CUT', outageType: 'NATIONWIDE' },
};
const regionalOngoing = {
  id: '1070', dataSource: 'ALL', description: null, scope: 'Multiple regions', startDate: '2025-01-24T06:30:42Z', endDate: null,
  locations: ['SY'], asns: [], eventType: 'OUTAGE', outage: { outageCause: 'WEATHER', outageType: 'REGIONAL' },
};

describe('radar/labels', () => {
  it('maps outage types: NATIONWIDE → outage, REGIONAL/NETWORK → partial_outage, radarwatchKind wins', () => {
    const net = { ...regionalOngoing, id: '7', endDate: '2025-01-10T02:00:00Z', startDate: '2025-01-10T00:00:00Z', outage: { outageType: 'NETWORK' } };
    const ddos = { ...net, id: '8', radarwatchKind: 'l3_ddos', outage: { outageType: 'NATIONWIDE' } };
    const l = outageLabels([syCableCut, regionalOngoing, net, ddos], opts);
    assert.deepEqual(l.map((x) => x.kind), ['outage', 'partial_outage', 'partial_outage', 'l3_ddos']);
    assert.equal(l[0].source, 'radar-outage');
    assert.equal(l[0].start, '2025-01-23T21:15:00Z');
    assert.equal(l[0].end, '2025-01-24T05:45:00Z');
    assert.equal(l[0].id, 'outage:1069');
    assert.match(l[0].description!, /cable cuts; CABLE_CUT/);
    // endDate null = ongoing: ends at the data range end.
    assert.equal(l[1].end, '2025-01-31T00:00:00Z');
    assert.throws(() => outageLabels([{ ...net, radarwatchKind: 'meteor' }], opts), (e: unknown) => e instanceof DataError && /"meteor".*outage, partial_outage/.test(e.message));
  });

  it('drops outages that name only other countries, accepting asnsDetails location and locations', () => {
    const other = { ...syCableCut, locations: ['IE'], locationsDetails: [], asnsDetails: [] };
    const viaAsnPlural = { ...syCableCut, locations: [], locationsDetails: [], asnsDetails: [{ asn: '1', name: 'x', locations: { code: 'SY', name: 'Syria' } }] };
    const unnamed = { ...syCableCut, locations: [], locationsDetails: [], asnsDetails: [] };
    assert.equal(outageLabels([other], opts).length, 0);
    assert.equal(outageLabels([viaAsnPlural], opts).length, 1);
    assert.equal(outageLabels([unnamed], opts).length, 1, 'the request was already filtered by location');
  });

  it('keeps VERIFIED LOCATION anomalies and AS anomalies located in the country', () => {
    const base = { uuid: 'u1', status: 'VERIFIED', type: 'LOCATION', startDate: '2025-01-05T10:15:00Z', endDate: '2025-01-05T12:00:00Z', locationDetails: { code: 'SY', name: 'Syria' } };
    const items = [
      base,
      { ...base, uuid: 'u2', status: 'UNVERIFIED' },
      { ...base, uuid: 'u3', locationDetails: { code: 'US', name: 'United States' } },
      { ...base, uuid: 'u4', type: 'AS', locationDetails: undefined, asnDetails: { asn: '29256', name: 'STE', location: { code: 'SY', name: 'Syria' } } },
      { ...base, uuid: 'u5', type: 'AS', asnDetails: { asn: '189', name: 'LUMEN', locations: { code: 'US', name: 'United States' } } },
      { ...base, uuid: 'u6', type: 'ORIGIN' },
      { ...base, uuid: 'u7', radarwatchKind: 'bot_surge', endDate: null },
    ];
    const l = anomalyLabels(items, opts);
    assert.deepEqual(l.map((x) => x.id), ['anomaly:u1', 'anomaly:u4', 'anomaly:u7']);
    assert.deepEqual(l.map((x) => x.kind), ['partial_outage', 'partial_outage', 'bot_surge']);
    assert.ok(l.every((x) => x.source === 'radar-anomaly'));
    assert.equal(anomalyLabels(items, { ...opts, includeUnverified: true }).length, 4);
  });

  it('splits time-series annotations into labels and unreliable windows', () => {
    const a = (eventType: string, s: number, e: number | null, extra: Partial<RadarAnnotation> = {}): RadarAnnotation => ({ dataSource: 'HTTP', eventType, description: '', start: s, end: e, isInstantaneous: false, ...extra });
    const r = annotationWindows(
      [a('PIPELINE', T(2, 3), T(2, 5)), a('PARTIAL_PROJECTION', T(3, 0), null, { isInstantaneous: true }), a('OUTAGE', T(4, 0), T(4, 6)), a('TRAFFIC_ANOMALY', T(5, 0), T(5, 2), { radarwatchKind: 'traffic_surge' }), a('EVENT', T(6, 0), T(6, 1))],
      opts,
    );
    assert.deepEqual(r.unreliable, [{ start: T(2, 3), end: T(2, 5) }, { start: T(3, 0), end: T(3, 1) }]);
    assert.deepEqual(r.labels.map((l) => [l.kind, l.source, l.kindGuessed]), [['partial_outage', 'radar-annotation', true], ['traffic_surge', 'radar-annotation', false]]);
  });

  it('merges the same event from several feeds and chunks into one window', () => {
    const fromOutages = outageLabels([syCableCut], opts);
    const fromSecondChunk = outageLabels([syCableCut], opts); // label windows overlap, so the feed was fetched twice
    const anomaly = anomalyLabels([{ uuid: 'a', status: 'VERIFIED', type: 'LOCATION', startDate: '2025-01-23T21:30:00Z', endDate: '2025-01-24T06:00:00Z' }], opts);
    const ann = annotationWindows([{ dataSource: 'ALL', eventType: 'OUTAGE', description: 'cable', start: T(23, 21, 15), end: T(24, 5, 45), isInstantaneous: false }], opts).labels;
    const merged = mergeLabels([...anomaly, ...ann, ...fromSecondChunk, ...fromOutages]);
    assert.equal(merged.length, 1);
    assert.deepEqual(merged[0], { start: '2025-01-23T21:15:00Z', end: '2025-01-24T05:45:00Z', kind: 'outage', source: 'radar-outage', id: 'outage:1069', description: 'Outage due to sabotage and two cable cuts; CABLE_CUT' });
  });
});
