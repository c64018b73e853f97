/**
 * Event lifecycle of the live watcher, as a pure function of the open event and newly scored hours: opens an
 * event on anomalous hours, updates it when its severity, cause or top signals change, closes it after a quiet period.
 */
import { HOUR_MS } from '../base/time';
import { groupEvents, isConfirmed } from '../detect/events';
import type { AnomalyEvent, ScoredHour } from '../detect/types';
import type { WatchAlert, WatchEvent } from './types';

/** A scored hour plus whether it may count as evidence: gap-filled or Radar-unreliable hours are `neutral`. */
export interface WatchHour extends ScoredHour {
  neutral?: boolean;
}

/** The persisted state of one live event. */
export interface LiveEvent {
  id: string;
  country: string;
  /** `pending` until it has minEventHours anomalous hours (never announced if it closes before), then `open`, then `closed`. */
  state: 'pending' | 'open' | 'closed';
  /** Its anomalous hours, ascending. */
  hours: ScoredHour[];
  /** Consecutive normal hours since the last anomalous one. */
  quiet: number;
  /** Alerts emitted for it so far (numbers `event_updated` ids). */
  revision: number;
  /** The summary the last alert carried; `event_updated` fires when severity, cause or top signals differ from it. */
  announced?: AnomalyEvent;
  /** Watcher time (epoch ms) of opening / closing. */
  openedAt?: number;
  closedAt?: number;
}

/** The rules: `quietHours` from watch, `minEventHours` and `topSignals` from detect. */
export interface LifecycleRules {
  quietHours: number;
  minEventHours: number;
  /** A one-hour event opens only at this probability, longer ones at less (detect.confirmProbability, see confirmingProbability); default 0.99. */
  confirmProbability?: number;
  topSignals: number;
}

export interface LifecycleStep {
  /** The event open or pending after the hours, if any. */
  current?: LiveEvent;
  /** Every event whose state changed (including `current` and closed or dropped ones), to persist. */
  touched: LiveEvent[];
  /** Events that closed while still pending: delete them, they were never announced. */
  dropped: LiveEvent[];
  /** Alerts in the order the changes happened. */
  alerts: WatchAlert[];
}

/** `YYYYMMDDTHH` of an hour, for ids. */
export function compactHour(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 11);
}

/** The event summary (start, end, peak, severity, cause, top signals) of an event's anomalous hours, via detect/events. */
export function summarize(ev: LiveEvent, topSignals: number): AnomalyEvent {
  // one group by construction: the lifecycle, not eventGapHours, decides which hours belong together
  return groupEvents(ev.hours, { eventGapHours: Number.MAX_SAFE_INTEGER / HOUR_MS, minEventHours: 1, confirmProbability: Number.MIN_VALUE, topSignals })[0];
}

/** The public view of a live event. */
export function viewOf(ev: LiveEvent, summary: AnomalyEvent): WatchEvent {
  return {
    id: ev.id,
    country: ev.country,
    status: ev.state === 'closed' ? 'closed' : 'open',
    source: 'watch',
    ...summary,
    openedAt: new Date(ev.openedAt ?? 0).toISOString(),
    ...(ev.closedAt !== undefined ? { closedAt: new Date(ev.closedAt).toISOString() } : {}),
  };
}

/** What changed between two summaries, as `event_updated` reports it. */
export function changesOf(before: AnomalyEvent | undefined, after: AnomalyEvent): ('severity' | 'cause' | 'topSignals')[] {
  if (!before) return [];
  const out: ('severity' | 'cause' | 'topSignals')[] = [];
  if (before.severity !== after.severity) out.push('severity');
  if (before.cause !== after.cause) out.push('cause');
  const key = (e: AnomalyEvent) => e.topSignals.map((s) => `${s.signal}:${s.direction}`).join(',');
  if (key(before) !== key(after)) out.push('topSignals');
  return out;
}

/**
 * Advances the lifecycle of `country` over newly scored `hours` (ascending, each scored once), starting from
 * `current` (the open or pending event, if any). Per hour: anomalous (not neutral) → joins the current event or
 * starts a pending one, which opens once confirmed (isConfirmed: `minEventHours` anomalous hours and a peak of
 * confirmingProbability(hours, `confirmProbability`)); normal → counts towards `quietHours`,
 * which closes the event (a pending one is dropped unannounced); neutral → neither. Alerts, stamped `nowMs`:
 * `event_opened` (with the summary at the end of the batch, or at closing), `event_updated` when an event open
 * before the batch is still open and its severity, cause or top signals changed, and `event_closed`.
 */
export function advanceLifecycle(country: string, current: LiveEvent | undefined, hours: WatchHour[], rules: LifecycleRules, nowMs: number): LifecycleStep {
  const at = new Date(nowMs).toISOString();
  const touched = new Map<string, LiveEvent>();
  const dropped: LiveEvent[] = [];
  const changes: { ev: LiveEvent; kind: 'opened' | 'closed' }[] = [];
  const wasOpen = current?.state === 'open' ? current.id : undefined;
  let cur = current ? { ...current, hours: [...current.hours] } : undefined;

  for (const h of hours) {
    if (h.anomaly && !h.neutral) {
      if (!cur) cur = { id: `${country}-${compactHour(h.timestamp)}`, country, state: 'pending', hours: [], quiet: 0, revision: 0 };
      const { neutral: _n, ...scored } = h;
      cur.hours.push(scored);
      cur.quiet = 0;
      if (cur.state === 'pending' && isConfirmed(cur.hours.length, Math.max(...cur.hours.map((x) => x.score)), rules)) {
        cur.state = 'open';
        cur.openedAt = nowMs;
        changes.push({ ev: cur, kind: 'opened' });
      }
      touched.set(cur.id, cur);
    } else if (cur && !h.neutral) {
      cur.quiet++;
      touched.set(cur.id, cur);
      if (cur.quiet >= rules.quietHours) {
        if (cur.state === 'open') {
          cur.state = 'closed';
          cur.closedAt = nowMs;
          changes.push({ ev: cur, kind: 'closed' });
        } else {
          touched.delete(cur.id);
          dropped.push(cur);
        }
        cur = undefined;
      }
    }
  }

  const alerts: WatchAlert[] = [];
  for (const { ev, kind } of changes) {
    const summary = summarize(ev, rules.topSignals);
    // an event opened and closed in one batch is announced with its final state, as open, then closed
    const view = viewOf(kind === 'opened' ? { ...ev, state: 'open', closedAt: undefined } : ev, summary);
    alerts.push({ id: `${ev.id}/${kind}`, type: kind === 'opened' ? 'event_opened' : 'event_closed', country, at, event: view });
    ev.revision++;
    ev.announced = summary;
  }
  if (cur && cur.state === 'open' && cur.id === wasOpen) {
    const summary = summarize(cur, rules.topSignals);
    const diff = changesOf(cur.announced, summary);
    if (diff.length > 0) {
      alerts.push({ id: `${cur.id}/updated/${cur.revision}`, type: 'event_updated', country, at, event: viewOf(cur, summary), changes: diff });
      cur.revision++;
      cur.announced = summary;
      touched.set(cur.id, cur);
    }
  }
  return { current: cur, touched: [...touched.values()], dropped, alerts };
}
