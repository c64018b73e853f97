/** Types of the live watcher: the alert messages it emits (stdout JSON lines, webhook bodies) and the event view the server shows. */
import type { AnomalyEvent } from '../detect/types';

/** Lifecycle changes of an event, and data-availability changes of a country. */
export const ALERT_TYPES = ['event_opened', 'event_updated', 'event_closed', 'data_late', 'data_missing', 'data_ok'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** A country's data status: `ok` = up to date, `late` = newest hour older than watch.lateAfterHours, `missing` = no data or a Radar error. */
export type DataStatus = 'ok' | 'late' | 'missing';

/** A watched event as alerts and `/api/events` (`alerts`) show it. Times are ISO-8601 UTC. */
export interface WatchEvent extends AnomalyEvent {
  /** `<CC>-<first anomalous hour as YYYYMMDDTHH>`, unique per country. */
  id: string;
  country: string;
  status: 'open' | 'closed';
  /** Always `watch`, to tell these apart from events the detection service computes on request. */
  source: 'watch';
  /** Watcher time when it was opened / closed. */
  openedAt: string;
  closedAt?: string;
}

/** Data status details of a `data_*` alert. */
export interface DataStatusInfo {
  status: DataStatus;
  /** Newest hour the watcher has data for (hour start, ISO), if any. */
  newestHour?: string;
  /** Complete hours between that hour and the newest hour that should exist. */
  hoursBehind?: number;
  /** Why, e.g. the Radar error message. */
  reason?: string;
}

/**
 * One alert: one JSON line on stdout and one webhook POST body. `id` is stable and unique (receivers may
 * deduplicate on it; it is also sent as the `Idempotency-Key` header).
 */
export interface WatchAlert {
  id: string;
  type: AlertType;
  country: string;
  /** Watcher time when the change was recorded, ISO. */
  at: string;
  /** For event alerts: the event after the change. */
  event?: WatchEvent;
  /** For `event_updated`: which of severity, cause, topSignals changed. */
  changes?: ('severity' | 'cause' | 'topSignals')[];
  /** For `data_*` alerts. */
  data?: DataStatusInfo;
}
