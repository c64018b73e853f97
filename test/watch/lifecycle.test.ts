import { strict as assert } from 'assert';
import { HOUR_MS } from '../../src/base/time';
import { advanceLifecycle, changesOf, compactHour, type LiveEvent, type WatchHour } from '../../src/watch/lifecycle';

const T0 = Date.UTC(2026, 0, 5, 0);
const NOW = Date.UTC(2026, 0, 6, 0);
const rules = { quietHours: 3, minEventHours: 1, confirmProbability: 0.9, topSignals: 2 };

/** Hours from a pattern: `A` anomalous traffic drop (probability 0.95: medium), `S` anomalous L3 rise (0.9999: critical), `.` normal, `n` neutral anomalous (gap-filled). */
function hours(pattern: string, start = T0): WatchHour[] {
  return [...pattern].map((c, i) => {
    const l3 = c === 'S';
    const anomaly = c !== '.';
    const signals: Record<string, number> = l3 ? { l3: 0.8, http: 0.2 } : { http: 0.6, netflows: 0.3, l3: 0.1 };
    const direction: Record<string, number> = l3 ? { l3: 5, http: 0 } : { http: -3, netflows: -2, l3: 0.1 };
    return {
      timestamp: start + i * HOUR_MS,
      score: c === 'S' ? 0.9999 : anomaly ? 0.95 : 0.1,
      threshold: 0.5,
      anomaly,
      signals,
      direction,
      neutral: c === 'n',
    };
  });
}

function types(step: { alerts: { type: string }[] }): string[] {
  return step.alerts.map((a) => a.type);
}

describe('watch/lifecycle', () => {
  it('names events by country and first anomalous hour', () => {
    assert.equal(compactHour(Date.UTC(2026, 0, 5, 7)), '20260105T07');
  });

  it('opens on the first anomalous hour and closes after quietHours normal hours, in one batch', () => {
    const step = advanceLifecycle('AT', undefined, hours('..AAA...'), rules, NOW);
    assert.deepEqual(types(step), ['event_opened', 'event_closed']);
    assert.equal(step.current, undefined);
    const opened = step.alerts[0].event!;
    assert.equal(opened.id, 'AT-20260105T02');
    assert.equal(opened.status, 'open', 'the opening alert shows the event as open');
    assert.equal(opened.start, new Date(T0 + 2 * HOUR_MS).toISOString());
    assert.equal(opened.end, new Date(T0 + 5 * HOUR_MS).toISOString());
    assert.equal(opened.hours, 3);
    assert.equal(opened.cause, 'outage');
    assert.equal(step.alerts[1].event!.status, 'closed');
    assert.equal(step.alerts[1].id, 'AT-20260105T02/closed');
    assert.equal(step.touched[0].state, 'closed');
  });

  it('keeps an event open across fewer than quietHours normal hours and across neutral hours', () => {
    const step = advanceLifecycle('AT', undefined, hours('A..A.nn.'), rules, NOW);
    assert.deepEqual(types(step), ['event_opened']);
    assert.equal(step.current!.state, 'open');
    assert.equal(step.current!.hours.length, 2, 'neutral hours are no evidence');
    assert.equal(step.current!.quiet, 2, 'neutral hours do not count towards the quiet period');
  });

  it('continues an event across batches: updated only when severity, cause or top signals change, closed once', () => {
    const first = advanceLifecycle('AT', undefined, hours('AA'), rules, NOW);
    assert.deepEqual(types(first), ['event_opened']);
    const same = advanceLifecycle('AT', first.current, hours('A', T0 + 2 * HOUR_MS), rules, NOW + HOUR_MS);
    assert.deepEqual(types(same), [], 'another hour of the same kind changes nothing visible');
    const worse = advanceLifecycle('AT', same.current, hours('SSS', T0 + 3 * HOUR_MS), rules, NOW + 2 * HOUR_MS);
    assert.deepEqual(types(worse), ['event_updated']);
    assert.deepEqual(worse.alerts[0].changes, ['severity', 'cause', 'topSignals']);
    assert.equal(worse.alerts[0].id, 'AT-20260105T00/updated/1');
    assert.equal(worse.alerts[0].event!.severity, 'critical');
    const closed = advanceLifecycle('AT', worse.current, hours('...', T0 + 6 * HOUR_MS), rules, NOW + 3 * HOUR_MS);
    assert.deepEqual(types(closed), ['event_closed']);
    assert.equal(closed.alerts[0].event!.hours, 6);
    assert.equal(closed.alerts[0].event!.closedAt, new Date(NOW + 3 * HOUR_MS).toISOString());
  });

  it('with minEventHours, a short blip stays pending and is dropped unannounced', () => {
    const r = { ...rules, minEventHours: 2 };
    const blip = advanceLifecycle('AT', undefined, hours('A...'), r, NOW);
    assert.deepEqual(types(blip), []);
    assert.equal(blip.dropped.length, 1);
    assert.equal(blip.touched.length, 0);
    const pending = advanceLifecycle('AT', undefined, hours('A'), r, NOW);
    assert.equal(pending.current!.state, 'pending');
    const opened = advanceLifecycle('AT', pending.current, hours('A', T0 + HOUR_MS), r, NOW + HOUR_MS);
    assert.deepEqual(types(opened), ['event_opened']);
    assert.equal(opened.alerts[0].event!.id, 'AT-20260105T00', 'the event starts at its first anomalous hour');
  });

  it('closes one event before opening the next in the same batch', () => {
    const step = advanceLifecycle('AT', undefined, hours('A...S'), rules, NOW);
    assert.deepEqual(types(step), ['event_opened', 'event_closed', 'event_opened']);
    assert.deepEqual(step.alerts.map((a) => a.event!.id), ['AT-20260105T00', 'AT-20260105T00', 'AT-20260105T04']);
  });

  it('does not mutate the event it was given', () => {
    const first = advanceLifecycle('AT', undefined, hours('A'), rules, NOW);
    const before: LiveEvent = structuredClone(first.current!);
    advanceLifecycle('AT', first.current, hours('A...', T0 + HOUR_MS), rules, NOW);
    assert.deepEqual(first.current, before);
  });

  it('reports no changes for a first summary', () => {
    const ev = advanceLifecycle('AT', undefined, hours('A'), rules, NOW).alerts[0].event!;
    assert.deepEqual(changesOf(undefined, ev), []);
  });
});
