import { strict as assert } from 'assert';
import { attributeCause, aggregateSignals } from '../../src/detect/cause';
import { confirmedFlags, confirmingProbability, groupEvents, isConfirmed, severityOf } from '../../src/detect/events';
import type { ScoredHour } from '../../src/detect/types';

const H = 3_600_000;
const T0 = Date.UTC(2025, 3, 12, 0);
function hour(i: number, score: number, signals: Record<string, number> = { http: 1 }, direction: Record<string, number> = { http: -3 }): ScoredHour {
  return { timestamp: T0 + i * H, score, threshold: 0.5, anomaly: score > 0.5, signals, direction };
}
const cfg = { eventGapHours: 2, minEventHours: 1, confirmProbability: 0.9, topSignals: 2 };

describe('detect/events', () => {
  it('merges anomalous hours at most eventGapHours apart, splits beyond, and sets start/end/peak', () => {
    // anomalous at 1,2,5 (gap of 2 normal hours → merge) and 9–10 (gap of 3 → new event)
    const hours = [0, 0.95, 0.9, 0.3, 0.3, 0.99, 0.01, 0.01, 0.01, 0.7, 0.7].map((s, i) => hour(i, s));
    const ev = groupEvents(hours, cfg);
    assert.equal(ev.length, 2);
    assert.equal(ev[0].start, new Date(T0 + 1 * H).toISOString());
    assert.equal(ev[0].end, new Date(T0 + 6 * H).toISOString());
    assert.equal(ev[0].hours, 3);
    assert.equal(ev[0].peakScore, 0.99);
    assert.equal(ev[0].peakAt, new Date(T0 + 5 * H).toISOString());
    assert.equal(ev[0].severity, 'medium');
    assert.equal(ev[1].start, new Date(T0 + 9 * H).toISOString());
    assert.equal(ev[1].severity, 'low');
  });

  it('takes the peak by evidence where hours carry it: rows whose probability reads 1 keep their order', () => {
    const hours = [0, 1, 1, 1, 0].map((s, i) => ({ ...hour(i, s), evidence: [0, 17.2, 23.91234, 19, 0][i] }));
    const [ev] = groupEvents(hours, cfg);
    assert.equal(ev.peakAt, new Date(T0 + 2 * H).toISOString());
    assert.equal(ev.peakEvidence, 23.912);
    assert.equal(ev.peakScore, 1);
    // without evidence: the first of the tied rows, and no peakEvidence
    const [plain] = groupEvents(hours.map(({ evidence: _e, ...h }) => h), cfg);
    assert.equal(plain.peakAt, new Date(T0 + 1 * H).toISOString());
    assert.equal(plain.peakEvidence, undefined);
  });

  it('reports a one-row event only when its probability reaches confirmProbability', () => {
    const hours = [0, 0.7, 0, 0, 0, 0, 0.995, 0, 0, 0, 0, 0.97, 0.6].map((s, i) => hour(i, s));
    const ev = groupEvents(hours, { ...cfg, eventGapHours: 0 });
    // with 0.9: 0.7 alone is what normal data does at the budget's rate, 0.995 alone is 199 times rarer, two anomalous rows always count (0.9's odds / 2⁴ < 1)
    assert.deepEqual(ev.map((e) => e.start), [6, 11].map((h) => new Date(T0 + h * H).toISOString()));
    assert.equal(groupEvents(hours, { ...cfg, eventGapHours: 0, confirmProbability: 0.6 }).length, 3);
  });

  it('asks less of longer runs: peak odds times rows to the fourth reach the confirmation odds', () => {
    assert.equal(confirmingProbability(1, 0.99), 0.99);
    assert.ok(Math.abs(confirmingProbability(2, 0.99) - 99 / 16 / (1 + 99 / 16)) < 1e-12);
    // four rows of 0.99's odds / 256 < 1: any anomalous run of four counts
    assert.ok(confirmingProbability(4, 0.99) < 0.5);
    assert.ok(confirmingProbability(3, 0.99) > 0.5);
    for (let n = 1; n < 20; n++) assert.ok(confirmingProbability(n + 1, 0.99) < confirmingProbability(n, 0.99));
    const rule = { minEventHours: 1, confirmProbability: 0.99 };
    assert.equal(isConfirmed(2, 0.85, rule), false);
    assert.equal(isConfirmed(2, 0.87, rule), true);
    assert.equal(isConfirmed(3, 0.54, rule), false);
    assert.equal(isConfirmed(3, 0.56, rule), true);
    assert.equal(isConfirmed(4, 0.51, rule), true);
    // a run of 2 at 0.8 in a series is dropped, one of 3 at 0.6 kept
    const hours = [0, 0.8, 0.8, 0, 0, 0, 0.6, 0.6, 0.6].map((s, i) => hour(i, s));
    const strict = { ...cfg, eventGapHours: 0, confirmProbability: 0.99 };
    assert.deepEqual(groupEvents(hours, strict).map((e) => e.hours), [3]);
    assert.deepEqual(Array.from(confirmedFlags(hours.map((h) => h.score), hours.map((h) => h.timestamp), strict)), [0, 0, 0, 0, 0, 0, 1, 1, 1]);
  });

  it('drops events shorter than minEventHours', () => {
    const hours = [0, 0.9, 0, 0, 0, 0, 0.8, 0.8].map((s, i) => hour(i, s));
    const ev = groupEvents(hours, { ...cfg, eventGapHours: 0, minEventHours: 2 });
    assert.equal(ev.length, 1);
    assert.equal(ev[0].hours, 2);
  });

  it('grades severity by the odds of the peak probability against the 0.5 threshold', () => {
    // odds p/(1-p): 4, 19, 199, 1999 → under 10× low, under 100× medium, under 1000× high, else critical
    assert.deepEqual([0.8, 0.95, 0.995, 0.9995].map((p) => severityOf(p, 0.5)), ['low', 'medium', 'high', 'critical']);
    assert.deepEqual([0.8, 0.95, 0.995, 0.9995].map((p) => severityOf(p)), ['low', 'medium', 'high', 'critical']);
    // just either side of the boundaries (odds 9 vs 11, 99 vs 101)
    assert.deepEqual([0.9, 11 / 12, 0.99, 101 / 102].map((p) => severityOf(p)), ['low', 'medium', 'medium', 'high']);
    assert.equal(severityOf(1), 'critical');
  });

  it('attributes causes from the driving signals and their direction', () => {
    const cases: [Record<string, number>, Record<string, number>, string][] = [
      [{ http: 0.5, netflows: 0.3, bgp_ips: 0.1, calendar: 0.1 }, { http: -4, netflows: -3, bgp_ips: -2 }, 'outage'],
      [{ http: 0.5, netflows: 0.4, l3: 0.1 }, { http: 3, netflows: 2, l3: 0.5 }, 'traffic_surge'],
      [{ l3: 0.8, http: 0.2 }, { l3: 6, http: 0.1 }, 'l3_ddos'],
      [{ l7: 0.7, http: 0.3 }, { l7: 5, http: 0.5 }, 'l7_attack'],
      [{ bot_share: 0.6, http: 0.4 }, { bot_share: 3, http: 1 }, 'bot_surge'],
      [{ bgp_ips: 0.7, netflows: 0.3 }, { bgp_ips: -2, netflows: 0.2 }, 'routing_change'],
      [{ requests: 0.9, errors: 0.1 }, { requests: -5, errors: 1 }, 'traffic_drop'],
      // more bots and more traffic: the bots are the surge
      [{ http: 0.5, netflows: 0.2, bot_share: 0.3 }, { http: 3, netflows: 2, bot_share: 2 }, 'bot_surge'],
      // an L7 attack raises the bot share too
      [{ l7: 0.4, bot_share: 0.35, http: 0.25 }, { l7: 5, bot_share: 3, http: 1 }, 'l7_attack'],
      // withdrawn routes take their traffic with them: led by announced space, it is a routing change
      [{ bgp_ips: 0.6, http: 0.25, netflows: 0.15 }, { bgp_ips: -4, http: -1, netflows: -1 }, 'routing_change'],
    ];
    for (const [signals, direction, want] of cases) {
      const ev = groupEvents([hour(0, 0.9, signals, direction), hour(1, 0.8, signals, direction)], cfg);
      assert.equal(ev[0].cause, want, JSON.stringify(signals));
    }
  });

  it('weights shares by the log-odds of the probability and lists top signals with direction, excluding calendar', () => {
    // log-odds: 0.9 → ln 9 = 2.197, 0.75 → ln 3 = 1.099: http carries two thirds
    const agg = aggregateSignals([hour(0, 0.9, { http: 1 }, { http: -1 }), hour(1, 0.75, { l3: 1 }, { l3: 2 })]);
    assert.deepEqual(agg.map((a) => a.signal), ['http', 'l3']);
    assert.ok(Math.abs(agg[0].share - Math.log(9) / (Math.log(9) + Math.log(3))) < 1e-12);
    assert.ok(Math.abs(agg[0].share - 2 / 3) < 1e-12);
    const ev = groupEvents([hour(0, 0.9, { calendar: 0.6, http: 0.4 }, { http: -1 })], cfg);
    assert.deepEqual(ev[0].topSignals, [{ signal: 'http', share: 0.4, direction: 'down' }]);
    assert.equal(attributeCause([]), 'unknown');
  });
});
