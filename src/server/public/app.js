// The radarwatch page's logic: loads the country list, asks /api/detect for a range and draws signals, score and events with plotly.
'use strict';

(function () {
  const DAY_MS = 86400000;
  const HOUR_MS = 3600000;
  const SIGNAL_NAMES = {
    http: 'HTTP requests',
    netflows: 'Traffic bytes (NetFlows)',
    l3: 'L3/4 DDoS bytes',
    l7: 'L7 mitigated requests',
    bot_share: 'Bot share of HTTP (%)',
    bgp_ips: 'Announced IP space',
  };
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
  const SEVERITY_ALPHA = { low: 0.15, medium: 0.25, high: 0.35, critical: 0.45 };

  const $ = (id) => document.getElementById(id);
  const els = {
    form: $('query'), country: $('country'), from: $('from'), to: $('to'), run: $('run'), status: $('status'),
    error: $('error'), summary: $('summary'), chart: $('chart'), legend: $('legend'), events: $('events-body'),
  };
  let countries = [];

  function showError(msg) {
    els.error.textContent = msg;
    els.error.hidden = false;
  }
  function clearError() {
    els.error.hidden = true;
    els.error.textContent = '';
  }
  function dateOnly(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

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

  /** Default range: the last 7 days that hold data (dataTo is exclusive). */
  function setDefaultRange(c) {
    const lastDay = Date.parse(c.dataTo) - 1;
    const first = Math.max(Date.parse(c.dataFrom), lastDay - 6 * DAY_MS);
    for (const el of [els.from, els.to]) {
      el.min = dateOnly(Date.parse(c.dataFrom));
      el.max = dateOnly(lastDay);
    }
    els.from.value = dateOnly(first);
    els.to.value = dateOnly(lastDay);
  }

  async function loadCountries() {
    const body = await getJson('api/countries');
    countries = body.countries;
    els.country.replaceChildren(
      ...countries.map((c) => {
        const o = document.createElement('option');
        o.value = c.code;
        o.textContent = c.code + ' — ' + c.name;
        return o;
      }),
    );
    if (countries.length === 0) {
      showError('No models are loaded. Train some with `radarwatch train`, then restart the server.');
      els.run.disabled = true;
      return;
    }
    const params = new URLSearchParams(location.search);
    // A country code matches in any case, an imported dataset id exactly.
    const asked = params.get('country') || '';
    const wanted = countries.some((c) => c.code === asked) ? asked : asked.toUpperCase();
    els.country.value = countries.some((c) => c.code === wanted) ? wanted : countries[0].code;
    setDefaultRange(current());
    if (params.get('from')) els.from.value = params.get('from');
    if (params.get('to')) els.to.value = params.get('to');
  }

  function current() {
    return countries.find((c) => c.code === els.country.value);
  }

  /** Sends whole UTC days; the end is capped at the data's end so the last, partial day still works. */
  function requestRange() {
    const c = current();
    const from = Date.parse(els.from.value + 'T00:00:00Z');
    const toDay = Date.parse(els.to.value + 'T00:00:00Z');
    if (Number.isNaN(from) || Number.isNaN(toDay)) throw new Error('Pick both dates (YYYY-MM-DD).');
    if (toDay < from) throw new Error('"To" must not be before "From".');
    const to = Math.min(toDay + DAY_MS, Date.parse(c.dataTo));
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  }

  async function run(ev) {
    if (ev) ev.preventDefault();
    clearError();
    let range;
    try {
      range = requestRange();
    } catch (e) {
      showError(e.message);
      return;
    }
    const q = new URLSearchParams({ country: els.country.value, from: range.from, to: range.to, include: 'series' });
    els.run.disabled = true;
    els.status.textContent = 'Scoring ' + els.country.value + '…';
    try {
      const result = await getJson('api/detect?' + q);
      draw(result);
      renderEvents(result);
      renderSummary(result);
      await loadAlerts(range).catch((e) => console.warn('live alerts unavailable: ' + e.message));
      history.replaceState(null, '', '?' + new URLSearchParams({ country: els.country.value, from: els.from.value, to: els.to.value }));
      els.status.textContent = '';
    } catch (e) {
      els.status.textContent = '';
      showError(e.message);
    } finally {
      els.run.disabled = false;
    }
  }

  function bandShapes(result) {
    const shapes = [];
    for (const e of result.events) {
      shapes.push({
        type: 'rect', xref: 'x', yref: 'paper', x0: e.start, x1: e.end, y0: 0, y1: 1, layer: 'below', line: { width: 0 },
        fillcolor: 'rgba(214, 39, 40, ' + (SEVERITY_ALPHA[e.severity] || 0.2) + ')',
      });
    }
    const labels = (result.series && result.series.labels) || [];
    for (const l of labels) {
      shapes.push({ type: 'rect', xref: 'x', yref: 'paper', x0: l.start, x1: l.end, y0: 0, y1: 1, layer: 'above', fillcolor: 'rgba(0,0,0,0)', line: { color: '#1f77b4', width: 1.5, dash: 'dash' } });
    }
    return shapes;
  }

  /** One row per signal, then the score against its threshold; rows share the time axis so zooming keeps them aligned. */
  function draw(result) {
    const x = result.hours.map((h) => h.timestamp);
    const signals = result.series ? Object.keys(result.series.signals) : [];
    const rows = signals.length + 1;
    const traces = [];
    const annotations = [];
    const layout = {
      grid: { rows: rows, columns: 1, pattern: 'coupled', roworder: 'top to bottom', ygap: 0.35 },
      height: 120 * rows + 80,
      margin: { l: 70, r: 20, t: 30, b: 40 },
      showlegend: false,
      hovermode: 'x unified',
      xaxis: { type: 'date' },
      shapes: bandShapes(result),
    };
    signals.forEach((s, i) => {
      const axis = i === 0 ? 'y' : 'y' + (i + 1);
      traces.push({ type: 'scatter', mode: 'lines', name: s, x: x, y: result.series.signals[s], xaxis: 'x', yaxis: axis, line: { color: '#1f5fbf', width: 1.4 } });
      annotations.push(rowTitle(SIGNAL_NAMES[s] || s, axis));
      layout[i === 0 ? 'yaxis' : 'yaxis' + (i + 1)] = { zeroline: false };
    });
    const scoreAxis = rows === 1 ? 'y' : 'y' + rows;
    const scores = result.hours.map((h) => h.score);
    const positive = scores.every((v) => v > 0);
    traces.push({ type: 'scatter', mode: 'lines', name: 'score', x: x, y: scores, xaxis: 'x', yaxis: scoreAxis, line: { color: '#333', width: 1.2 } });
    traces.push({ type: 'scatter', mode: 'lines', name: 'threshold', x: x, y: result.hours.map((h) => h.threshold), xaxis: 'x', yaxis: scoreAxis, line: { color: '#d62728', dash: 'dash', width: 1.5 } });
    const anomalous = result.hours.filter((h) => h.anomaly);
    traces.push({ type: 'scatter', mode: 'markers', name: 'anomalous hour', x: anomalous.map((h) => h.timestamp), y: anomalous.map((h) => h.score), xaxis: 'x', yaxis: scoreAxis, marker: { color: '#d62728', size: 5 } });
    // scores span decades (normal ≈ threshold/5, outages ≫ threshold): log scale, one tick per decade
    layout[rows === 1 ? 'yaxis' : 'yaxis' + rows] = positive ? { type: 'log', dtick: 1, zeroline: false } : { zeroline: false };
    annotations.push(rowTitle('Anomaly score vs threshold (' + result.model.thresholdMethod + ')', scoreAxis));
    for (const l of (result.series && result.series.labels) || []) {
      annotations.push({ x: l.start, xref: 'x', xanchor: 'left', y: 1, yref: 'paper', yanchor: 'bottom', text: 'label: ' + l.kind, showarrow: false, font: { size: 11, color: '#1f77b4' } });
    }
    layout.annotations = annotations;
    els.legend.hidden = false;
    els.chart.dataset.rows = String(rows);
    return Plotly.react(els.chart, traces, layout, { responsive: true, displaylogo: false });
  }

  function rowTitle(text, axis) {
    return { text: '<b>' + text + '</b>', xref: 'paper', x: 0, xanchor: 'left', yref: axis + ' domain', y: 1, yanchor: 'bottom', showarrow: false, font: { size: 12 } };
  }

  function cell(text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  function fmtTime(iso) {
    return iso.slice(0, 16).replace('T', ' ');
  }

  function renderEvents(result) {
    if (result.events.length === 0) {
      const tr = document.createElement('tr');
      tr.className = 'empty';
      tr.dataset.testid = 'no-events';
      tr.appendChild(cell('No events in this range.'));
      tr.firstChild.colSpan = 7;
      els.events.replaceChildren(tr);
      return;
    }
    els.events.replaceChildren(
      ...result.events.map((e) => {
        const tr = document.createElement('tr');
        tr.dataset.testid = 'event-row';
        tr.title = 'Click to zoom the charts to this event';
        const sev = document.createElement('span');
        sev.className = 'sev sev-' + e.severity;
        sev.textContent = e.severity;
        const sevTd = cell('');
        sevTd.appendChild(sev);
        const top = e.topSignals.map((s) => s.signal + ' ' + (s.direction === 'down' ? '↓' : '↑') + ' ' + Math.round(s.share * 100) + '%').join(', ');
        tr.append(cell(fmtTime(e.start)), cell(fmtTime(e.end)), cell(String(e.hours)), sevTd, cell(CAUSE_NAMES[e.cause] || e.cause, 'cause'), cell(e.peakScore.toFixed(2)), cell(top, 'signals'));
        tr.addEventListener('click', () => {
          const pad = Math.max(6 * HOUR_MS, (Date.parse(e.end) - Date.parse(e.start)) * 2);
          Plotly.relayout(els.chart, { 'xaxis.range': [new Date(Date.parse(e.start) - pad).toISOString(), new Date(Date.parse(e.end) + pad).toISOString()] });
        });
        return tr;
      }),
    );
  }

  /** The live watcher's events in range (from /api/events `alerts`); the section stays hidden when no watcher has run. */
  async function loadAlerts(range) {
    const section = document.getElementById('alerts');
    const body = document.getElementById('alerts-body');
    const q = new URLSearchParams({ country: els.country.value, from: range.from, to: range.to });
    const res = await getJson('api/events?' + q);
    const alerts = Array.isArray(res.alerts) ? res.alerts : [];
    section.hidden = alerts.length === 0;
    body.replaceChildren(
      ...alerts.map((e) => {
        const tr = document.createElement('tr');
        tr.dataset.testid = 'alert-row';
        const top = e.topSignals.map((s) => s.signal + ' ' + (s.direction === 'down' ? '↓' : '↑') + ' ' + Math.round(s.share * 100) + '%').join(', ');
        tr.append(cell(e.status), cell(fmtTime(e.start)), cell(e.status === 'open' ? '…' : fmtTime(e.end)), cell(String(e.hours)), cell(e.severity), cell(CAUSE_NAMES[e.cause] || e.cause, 'cause'), cell(top, 'signals'));
        return tr;
      }),
    );
  }

  function renderSummary(result) {
    const anomalous = result.hours.filter((h) => h.anomaly).length;
    const m = result.model;
    els.summary.hidden = false;
    els.summary.replaceChildren();
    const parts = [
      ['Country', result.country],
      ['Range', fmtTime(result.from) + ' → ' + fmtTime(result.to) + ' UTC'],
      ['Hours', String(result.hours.length)],
      ['Anomalous hours', String(anomalous)],
      ['Events', String(result.events.length)],
      ['Model', 'trained ' + m.trainedFrom.slice(0, 10) + ' → ' + m.trainedTo.slice(0, 10) + ', threshold ' + m.threshold.toFixed(3) + ' (' + m.thresholdMethod + '), T = ' + m.temperature.toFixed(2)],
    ];
    parts.forEach(([k, v], i) => {
      if (i) els.summary.append(' · ');
      const b = document.createElement('b');
      b.textContent = v;
      els.summary.append(k + ': ', b);
    });
  }

  els.form.addEventListener('submit', run);
  els.country.addEventListener('change', () => {
    clearError();
    setDefaultRange(current());
  });
  loadCountries().catch((e) => showError(e.message));
})();
