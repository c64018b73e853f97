/** Test fixture: a watch database with known AT events, for the server's /api/events and the page. */
import { HOUR_MS } from '../../src/base/time';
import { advanceLifecycle, type WatchHour } from '../../src/watch/lifecycle';
import { WatchStore } from '../../src/watch/store';

export const T0 = Date.UTC(2025, 5, 20, 0);

/** Hours from a pattern: `A` anomalous traffic drop, `.` normal. */
function hours(pattern: string, start: number): WatchHour[] {
  return [...pattern].map((c, i) => ({
    timestamp: start + i * HOUR_MS,
    score: c === 'A' ? 5 : 0.5,
    threshold: 1,
    anomaly: c === 'A',
    signals: { http: 0.7, netflows: 0.3 },
    direction: { http: -3, netflows: -2 },
  }));
}

/** A watch database with, for AT, one closed event on 2025-06-20 and one still open from 2025-06-26 03:00. */
export function makeWatchDb(file: string): void {
  const store = WatchStore.open(file);
  const rules = { quietHours: 3, minEventHours: 1, topSignals: 2 };
  store.seed('AT', [{ hour: T0 - HOUR_MS, values: { http: 1, netflows: 1 }, gap: 0, unreliable: 0 }], T0 - HOUR_MS, T0);
  const closed = advanceLifecycle('AT', undefined, hours('..AAA....', T0), rules, T0 + 10 * HOUR_MS);
  store.commit({ country: 'AT', events: closed.touched, alerts: closed.alerts, at: T0 + 10 * HOUR_MS });
  const open = advanceLifecycle('AT', undefined, hours('AA', Date.UTC(2025, 5, 26, 3)), rules, Date.UTC(2025, 5, 26, 6));
  store.commit({ country: 'AT', events: open.touched, alerts: open.alerts, at: Date.UTC(2025, 5, 26, 6) });
  store.close();
}

