import { strict as assert } from 'assert';
import { createGenerator, type SimulatedSeries } from '../../../src/data/generator/simulate';
import { KIND_DURATION_HOURS, MIN_ANOMALY_GAP_MS, envelopeAt, hourEnvelope, type InjectedAnomaly } from '../../../src/data/generator/anomalies';
import { ANOMALY_KINDS } from '../../../src/base/labels';
import { HOUR_MS, DAY_MS } from '../../../src/base/time';

const FROM = Date.UTC(2023, 0, 1);
const TO = Date.UTC(2026, 0, 1);
const WEEK_H = 168;

/** Hour indices of `s` fully inside an anomaly's plateau (envelope 1 over the whole hour). */
function plateauHours(s: SimulatedSeries, a: InjectedAnomaly): number[] {
  const t0 = s.timestamps[0];
  const out: number[] = [];
  for (let t = Math.ceil(a.start / HOUR_MS) * HOUR_MS; t + HOUR_MS <= a.end; t += HOUR_MS) {
    const i = (t - t0) / HOUR_MS;
    if (i >= WEEK_H && i < s.timestamps.length && envelopeAt(a, t) === 1 && envelopeAt(a, t + HOUR_MS - 1) === 1) out.push(i);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('data/generator/anomalies', () => {
  const gen = createGenerator({ seed: 42 });
  // One week of lead-in so every anomaly hour has a same-hour-last-week reference.
  const sims = new Map<string, SimulatedSeries>();
  const sim = (cc: string) => sims.get(cc) ?? sims.set(cc, gen.simulate(cc, FROM - 7 * DAY_MS, TO)).get(cc)!;

  it('injects every kind within 3 years of one country, each lasting within its bounds', () => {
    const list = gen.anomalies('AT', FROM, TO);
    for (const kind of ANOMALY_KINDS) assert.ok(list.some((a) => a.kind === kind), `no ${kind}`);
    for (const a of list) {
      const h = (a.end - a.start) / HOUR_MS;
      const [lo, hi] = KIND_DURATION_HOURS[a.kind];
      assert.ok(h >= lo - 0.25 && h <= hi + 0.25, `${a.kind} lasts ${h} h`);
      assert.equal(a.start % (15 * 60_000), 0);
    }
  });

  it('averages close to anomaliesPerMonth over many country-months (1.5 and 4)', () => {
    const countries = ['AT', 'DE', 'US', 'JP', 'SA', 'BR', 'IN', 'NG', 'FR', 'IT', 'PL', 'MX', 'EG', 'ZA', 'KE', 'AU', 'CL', 'ID', 'TR', 'UA'];
    for (const rate of [1.5, 4]) {
      const g = createGenerator({ seed: 3, anomaliesPerMonth: rate });
      let n = 0;
      for (const cc of countries) n += g.anomalies(cc, FROM, TO).length;
      const perMonth = n / (countries.length * 36);
      assert.ok(Math.abs(perMonth - rate) < 0.12 * rate, `rate ${rate}: got ${perMonth.toFixed(3)} per month`);
    }
    assert.equal(createGenerator({ seed: 3, anomaliesPerMonth: 0 }).anomalies('AT', FROM, TO).length, 0);
  });

  it('never lets two anomalies of a country overlap, also across month boundaries and at a high rate', () => {
    for (const cc of ['AT', 'US', 'JP']) {
      const list = createGenerator({ seed: 9, anomaliesPerMonth: 8 }).anomalies(cc, FROM, TO);
      for (let i = 1; i < list.length; i++) assert.ok(list[i].start >= list[i - 1].end + MIN_ANOMALY_GAP_MS, `${cc}: ${list[i - 1].id} and ${list[i].id}`);
    }
  });

  it('returns the same anomalies for a month whether asked alone or within 3 years', () => {
    const month = gen.anomalies('JP', Date.UTC(2024, 4, 1), Date.UTC(2024, 5, 1));
    const all = createGenerator({ seed: 42 }).anomalies('JP', FROM, TO).filter((a) => a.end > Date.UTC(2024, 4, 1) && a.start < Date.UTC(2024, 5, 1));
    assert.deepEqual(month, all);
  });

  it('during outages HTTP falls far below the same hour a week earlier; partial outages drop it moderately', () => {
    for (const cc of ['AT', 'DE', 'US']) {
      const s = sim(cc);
      for (const a of gen.anomalies(cc, FROM, TO)) {
        if (a.kind !== 'outage' && a.kind !== 'partial_outage') continue;
        const hours = plateauHours(s, a);
        if (hours.length === 0) continue;
        const ratio = median(hours.map((i) => s.httpRequests[i] / s.httpRequests[i - WEEK_H]));
        if (a.kind === 'outage') assert.ok(ratio < 0.3, `${cc} outage ${a.id}: ratio ${ratio}`);
        else assert.ok(ratio < 0.95 && ratio > 0.25, `${cc} partial outage ${a.id}: ratio ${ratio}`);
        if (a.bgpWithdraw > 0.3) assert.ok(s.ipv4[hours[0]] < 0.8 * s.ipv4[hours[0] - WEEK_H], `${cc} outage ${a.id} withdraws routes`);
      }
    }
  });

  it('during attacks L3 / L7 volumes are far above the background; surges raise HTTP and bot share; routing changes move IP space', () => {
    let checked = 0;
    const l7HttpRatios: number[] = [];
    for (const cc of ['AT', 'DE', 'US']) {
      const s = sim(cc);
      const l3Median = median([...s.l3TargetBytes]);
      const l7Median = median([...s.l7Requests].map((v, i) => v / s.httpRequests[i]));
      for (const a of gen.anomalies(cc, FROM, TO)) {
        const hours = plateauHours(s, a);
        if (hours.length === 0) continue;
        checked++;
        const peak = (f: (i: number) => number) => Math.max(...hours.map(f));
        const med = (f: (i: number) => number) => median(hours.map(f));
        switch (a.kind) {
          case 'l3_ddos':
            assert.ok(peak((i) => s.l3TargetBytes[i]) > 5 * l3Median, `${cc} l3 ${a.id}`);
            break;
          case 'l7_attack':
            assert.ok(peak((i) => s.l7Requests[i] / s.httpRequests[i]) > 5 * l7Median, `${cc} l7 ${a.id}`);
            l7HttpRatios.push(med((i) => s.httpRequests[i] / s.httpRequests[i - WEEK_H]));
            break;
          case 'bot_surge':
            assert.ok(med((i) => s.botShare[i] - s.botShare[i - WEEK_H]) > 10, `${cc} bot surge ${a.id}`);
            break;
          case 'traffic_surge':
            assert.ok(med((i) => s.httpRequests[i] / s.httpRequests[i - WEEK_H]) > 1.15, `${cc} surge ${a.id}`);
            break;
          case 'routing_change':
            assert.ok(Math.abs(med((i) => s.ipv4[i] / s.ipv4[i - WEEK_H]) - 1) > 0.02, `${cc} routing ${a.id}`);
            break;
        }
      }
    }
    assert.ok(checked > 60, `only ${checked} anomalies had plateau hours`);
    // The HTTP rise of an L7 attack is slight (part of the attack requests), so it shows on average, not always.
    assert.ok(median(l7HttpRatios) > 1.01, `median HTTP ratio during L7 attacks ${median(l7HttpRatios)}`);
  });

  it('keeps the unlabelled L3 background well below labelled attacks', () => {
    const s = sim('DE');
    const labelled = new Uint8Array(s.timestamps.length);
    for (const a of gen.anomalies('DE', FROM, TO)) for (let i = 0; i < s.timestamps.length; i++) if (hourEnvelope(a, s.timestamps[i]) > 0) labelled[i] = 1;
    const bg = [...s.l3TargetBytes].filter((_, i) => !labelled[i] && !s.unreliable[i]);
    const sorted = bg.sort((a, b) => a - b);
    const q999 = sorted[Math.floor(sorted.length * 0.999)];
    assert.ok(q999 < 6 * sorted[Math.floor(sorted.length / 2)], 'the background tail stays below 6× its median');
    assert.ok(q999 > 1.5 * sorted[Math.floor(sorted.length / 2)], 'but it is not flat (heavy-tailed, with blips)');
  });

  it('ramps and pulses: envelopes stay in [0, 1], are 0 outside the window and attacks vary inside it', () => {
    const list = gen.anomalies('US', FROM, TO);
    for (const a of list) {
      assert.equal(envelopeAt(a, a.start - 1), 0);
      assert.equal(envelopeAt(a, a.end), 0);
      for (let t = a.start; t < a.end; t += 15 * 60_000) {
        const e = envelopeAt(a, t + 1);
        assert.ok(e > 0 && e <= 1);
      }
    }
    assert.ok(list.some((a) => a.rampIn > 0 || a.rampOut > 0), 'some anomalies ramp');
    const pulsed = list.find((a) => a.pulsed && a.end - a.start >= 4 * HOUR_MS)!;
    const levels = new Set<number>();
    for (let t = Math.ceil(pulsed.start / HOUR_MS) * HOUR_MS; t + HOUR_MS <= pulsed.end; t += HOUR_MS) levels.add(Math.round(hourEnvelope(pulsed, t) * 100));
    assert.ok(levels.size > 1, 'pulsed attacks are not rectangles');
  });
});
