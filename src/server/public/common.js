// Helpers shared by the overview and the country view: JSON requests with readable errors, names of causes and signals, time formats,
// and how a peak's evidence is shown and compared.
'use strict';

window.radarwatch = (function () {
  const CAUSE_NAMES = {
    outage: 'outage',
    l3_ddos: 'L3/4 DDoS',
    l7_attack: 'L7 attack',
    bot_surge: 'bot surge',
    traffic_surge: 'traffic surge',
    routing_change: 'routing change',
    traffic_drop: 'traffic drop',
    unknown: 'unknown',
  };
  const SEVERITY_RANK = { low: 1, medium: 2, high: 3, critical: 4 };

  /** Fetches JSON; API errors ({error: {code, message}}) become thrown Errors carrying that message. */
  async function getJson(url) {
    let res;
    try {
      res = await fetch(url, { headers: { accept: 'application/json' } });
    } catch (e) {
      throw new Error('Cannot reach the radarwatch server: ' + e.message);
    }
    let body = null;
    try {
      body = await res.json();
    } catch (e) {
      // non-JSON body: keep the status line only
    }
    if (!res.ok) {
      const err = body && body.error ? body.error : { code: 'HTTP_' + res.status, message: res.statusText };
      throw new Error(res.status + ' ' + err.code + ': ' + err.message);
    }
    return body;
  }

  function cell(text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  /** `2025-06-26 03:00` from an ISO time. */
  function fmtTime(iso) {
    return iso.slice(0, 16).replace('T', ' ');
  }

  /** `5 h` / `3 d 4 h`. */
  function fmtHours(h) {
    return h < 48 ? h + ' h' : Math.floor(h / 24) + ' d' + (h % 24 ? ' ' + (h % 24) + ' h' : '');
  }

  function causeName(c) {
    return CAUSE_NAMES[c] || c;
  }

  /** `netflows ↓ 40%, http ↓ 31%`. */
  function topSignals(list) {
    return list.map((s) => s.signal + ' ' + (s.direction === 'down' ? '↓' : '↑') + ' ' + Math.round(s.share * 100) + '%').join(', ');
  }

  /** A coloured severity badge. */
  function severityBadge(severity) {
    const s = document.createElement('span');
    s.className = 'sev sev-' + severity;
    s.textContent = severity;
    return s;
  }

  /** ' (evidence 12.3)': −log10 of the hour's tail probability among normal hours, where the answer carries it. */
  function evidenceText(e) {
    return typeof e === 'number' ? ' (evidence ' + e.toFixed(1) + ')' : '';
  }

  /** Whether probability/evidence (p, e) is more anomalous than (q, f): by evidence where both have it, else by probability (as the server picks a peak). */
  function moreAnomalous(p, e, q, f) {
    return typeof e === 'number' && typeof f === 'number' ? e > f : p > q;
  }

  return { getJson, cell, fmtTime, fmtHours, causeName, topSignals, severityBadge, evidenceText, moreAnomalous, SEVERITY_RANK };
})();
