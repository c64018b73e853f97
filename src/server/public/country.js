// The country view's logic: opens on the latest week of the country in the URL (or the first one), keeps country and
// range in the URL so a view can be shared, and draws signals, calibrated probability and events with plotly.
'use strict';

(function () {
  const rw = window.radarwatch;
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
  const SEVERITY_ALPHA = { low: 0.15, medium: 0.25, high: 0.35, critical: 0.45 };

  const $ = (id) => document.getElementById(id);
  const els = {
    form: $('query'), country: $('country'), from: $('from'), to: $('to'), run: $('run'), status: $('status'),
    error: $('error'), summary: $('summary'), chart: $('chart'), legend: $('legend'), events: $('events-body'),
  };
  let countries = [];
  /** The event to zoom on (its start, from the overview's links), until the user picks another range. */
  let focusEvent = null;
  /** Numbers each run, so an older answer arriving late does not overwrite a newer one. */
  let runId = 0;

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

  function current() {
    return countries.find((c) => c.code === els.country.value);
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

  /** Country, range and event from the URL (a country code matches in any case, an imported dataset id exactly). */
  function applyUrl() {
    const params = new URLSearchParams(location.search);
    const asked = params.get('country') || '';
    const wanted = countries.some((c) => c.code === asked) ? asked : asked.toUpperCase();
    els.country.value = countries.some((c) => c.code === wanted) ? wanted : countries[0].code;
    setDefaultRange(current());
    if (params.get('from')) els.from.value = params.get('from');
    if (params.get('to')) els.to.value = params.get('to');
    focusEvent = params.get('event');
  }

  /** Writes country and range (and the focused event) into the URL: a new history entry when the user asked for it. */
  function saveUrl(push) {
    const q = new URLSearchParams({ country: els.country.value, from: els.from.value, to: els.to.value });
    if (focusEvent) q.set('event', focusEvent);
    const url = '?' + q;
    if (url === location.search) return;
    if (push) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }

  async function loadCountries() {
    const body = await rw.getJson('api/countries');
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
      return false;
    }
    applyUrl();
    return true;
  }

  /** Sends whole UTC days, clipped to the country's data so a link's padding days never fall outside it. */
  function requestRange() {
    const c = current();
    const fromDay = Date.parse(els.from.value + 'T00:00:00Z');
    const toDay = Date.parse(els.to.value + 'T00:00:00Z');
    if (Number.isNaN(fromDay) || Number.isNaN(toDay)) throw new Error('Pick both dates (YYYY-MM-DD).');
    if (toDay < fromDay) throw new Error('"To" must not be before "From".');
    const from = Math.max(fromDay, Date.parse(c.dataFrom));
    const to = Math.min(toDay + DAY_MS, Date.parse(c.dataTo));
    if (from >= to) throw new Error(c.code + ' has data from ' + rw.fmtTime(c.dataFrom) + ' to ' + rw.fmtTime(c.dataTo) + ' UTC; pick days in that range.');
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  }

  /** Scores the form's country and range and draws it; `push` adds a history entry (a user's choice, not a page load). */
  async function run(push) {
    clearError();
    let range;
    try {
      range = requestRange();
    } catch (e) {
      showError(e.message);
      return;
    }
    saveUrl(push);
    const id = ++runId;
    const q = new URLSearchParams({ country: els.country.value, from: range.from, to: range.to, include: 'series' });
    els.run.disabled = true;
    els.status.textContent = 'Scoring ' + els.country.value + '…';
    try {
      const result = await rw.getJson('api/detect?' + q);
      if (id !== runId) return;
      await draw(result);
      renderEvents(result);
      renderSummary(result);
      await loadAlerts(range).catch((e) => console.warn('live alerts unavailable: ' + e.message));
      if (focusEvent) zoomTo(result.events.find((e) => e.start === focusEvent) || { start: focusEvent, end: new Date(Date.parse(focusEvent) + HOUR_MS).toISOString() });
    } catch (e) {
      if (id === runId) showError(e.message);
    } finally {
      if (id === runId) {
        els.status.textContent = '';
        els.run.disabled = false;
      }
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

  /** One row per signal, then the calibrated probability against its threshold; rows share the time axis so zooming keeps them aligned. */
  function draw(result) {
    const x = result.hours.map((h) => h.timestamp);
    const signals = result.series ? Object.keys(result.series.signals) : [];
    const rows = signals.length + 1;
    const traces = [];
    const annotations = [];
    const layout = {
      grid: { rows: rows, columns: 1, pattern: 'coupled', roworder: 'top to bottom', ygap: 0.35 },
      height: 120 * rows + 80,
      margin: { l: 60, r: 16, t: 30, b: 40 },
      showlegend: false,
      hovermode: 'x unified',
      xaxis: { type: 'date' },
      shapes: bandShapes(result),
    };
    signals.forEach((s, i) => {
      const axis = i === 0 ? 'y' : 'y' + (i + 1);
      traces.push({ type: 'scatter', mode: 'lines', name: SIGNAL_NAMES[s] || s, x: x, y: result.series.signals[s], xaxis: 'x', yaxis: axis, line: { color: '#1f5fbf', width: 1.4 } });
      annotations.push(rowTitle(SIGNAL_NAMES[s] || s, axis));
      layout[i === 0 ? 'yaxis' : 'yaxis' + (i + 1)] = { zeroline: false };
    });
    const pAxis = rows === 1 ? 'y' : 'y' + rows;
    // warm-up hours at the start of the data have no probability: gaps, never zeros
    const probability = result.hours.map((h) => (h.scorable === false ? null : h.probability !== undefined ? h.probability : h.score));
    // the evidence (decades) keeps telling hours apart where the probability reads 1.000
    const evidence = result.hours.map((h) => rw.evidenceText(h.evidence));
    traces.push({ type: 'scatter', mode: 'lines', name: 'probability', x: x, y: probability, customdata: evidence, xaxis: 'x', yaxis: pAxis, line: { color: '#333', width: 1.2 }, hovertemplate: '%{y:.3f}%{customdata}' });
    traces.push({ type: 'scatter', mode: 'lines', name: 'threshold', x: x, y: result.hours.map((h) => h.threshold), xaxis: 'x', yaxis: pAxis, line: { color: '#d62728', dash: 'dash', width: 1.5 }, hoverinfo: 'skip' });
    const anomalous = result.hours.filter((h) => h.anomaly);
    traces.push({ type: 'scatter', mode: 'markers', name: 'anomalous hour', x: anomalous.map((h) => h.timestamp), y: anomalous.map((h) => h.probability), xaxis: 'x', yaxis: pAxis, marker: { color: '#d62728', size: 5 }, hoverinfo: 'skip' });
    layout[rows === 1 ? 'yaxis' : 'yaxis' + rows] = { range: [0, 1.02], zeroline: false, tickformat: '.1f' };
    annotations.push(rowTitle('Calibrated anomaly probability vs threshold ' + result.model.threshold, pAxis));
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

  /** Zooms every chart row to an event with some context around it, and marks its row in the table. */
  function zoomTo(e) {
    const pad = Math.max(6 * HOUR_MS, (Date.parse(e.end) - Date.parse(e.start)) * 2);
    Plotly.relayout(els.chart, { 'xaxis.range': [new Date(Date.parse(e.start) - pad).toISOString(), new Date(Date.parse(e.end) + pad).toISOString()] });
    for (const tr of els.events.querySelectorAll('tr[data-testid="event-row"]')) {
      const on = tr.dataset.start === e.start;
      tr.classList.toggle('focus', on);
      if (on) tr.setAttribute('aria-current', 'true');
      else tr.removeAttribute('aria-current');
    }
  }

  function renderEvents(result) {
    if (result.events.length === 0) {
      const tr = document.createElement('tr');
      tr.className = 'empty';
      tr.dataset.testid = 'no-events';
      tr.appendChild(rw.cell('No events in this range.'));
      tr.firstChild.colSpan = 7;
      els.events.replaceChildren(tr);
      return;
    }
    els.events.replaceChildren(
      ...result.events.map((e) => {
        const tr = document.createElement('tr');
        tr.dataset.testid = 'event-row';
        tr.dataset.start = e.start;
        tr.tabIndex = 0;
        tr.title = 'Click (or Enter) to zoom the charts to this event';
        const sevTd = rw.cell('');
        sevTd.appendChild(rw.severityBadge(e.severity));
        tr.append(rw.cell(rw.fmtTime(e.start)), rw.cell(rw.fmtTime(e.end)), rw.cell(String(e.hours)), sevTd, rw.cell(rw.causeName(e.cause), 'cause'), rw.cell(e.peakScore.toFixed(3) + rw.evidenceText(e.peakEvidence)), rw.cell(rw.topSignals(e.topSignals), 'signals'));
        const zoom = () => {
          focusEvent = e.start;
          saveUrl(false);
          zoomTo(e);
        };
        tr.addEventListener('click', zoom);
        tr.addEventListener('keydown', (k) => {
          if (k.key === 'Enter' || k.key === ' ') {
            k.preventDefault();
            zoom();
          }
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
    const res = await rw.getJson('api/events?' + q);
    const alerts = Array.isArray(res.alerts) ? res.alerts : [];
    section.hidden = alerts.length === 0;
    body.replaceChildren(
      ...alerts.map((e) => {
        const tr = document.createElement('tr');
        tr.dataset.testid = 'alert-row';
        tr.append(rw.cell(e.status), rw.cell(rw.fmtTime(e.start)), rw.cell(e.status === 'open' ? '…' : rw.fmtTime(e.end)), rw.cell(String(e.hours)), rw.cell(e.severity), rw.cell(rw.causeName(e.cause), 'cause'), rw.cell(rw.topSignals(e.topSignals), 'signals'));
        return tr;
      }),
    );
  }

  function renderSummary(result) {
    const scored = result.hours.filter((h) => h.scorable !== false);
    const anomalous = result.hours.filter((h) => h.anomaly).length;
    const peak = scored.reduce((best, h) => (best === null || rw.moreAnomalous(h.probability, h.evidence, best.probability, best.evidence) ? h : best), null);
    const last = scored[scored.length - 1];
    const m = result.model;
    els.summary.hidden = false;
    els.summary.replaceChildren();
    const parts = [
      ['Country', result.country],
      ['Range', rw.fmtTime(result.from) + ' → ' + rw.fmtTime(result.to) + ' UTC'],
      ['Hours', String(result.hours.length)],
      ['Anomalous hours', String(anomalous)],
      ['Events', String(result.events.length)],
      ['Peak probability', peak ? peak.probability.toFixed(3) + rw.evidenceText(peak.evidence) + ' at ' + rw.fmtTime(peak.timestamp) : '–'],
      ['Newest hour', last ? rw.fmtTime(last.timestamp) + ', probability ' + last.probability.toFixed(3) : '–'],
      ['Model', 'trained ' + m.trainedFrom.slice(0, 10) + ' → ' + m.trainedTo.slice(0, 10) + ', ' + m.detector + ', threshold ' + m.threshold + ' (' + m.thresholdMethod + '), T = ' + m.temperature.toFixed(2)],
    ];
    parts.forEach(([k, v], i) => {
      if (i) els.summary.append(' · ');
      const b = document.createElement('b');
      b.textContent = v;
      b.dataset.testid = 'summary-' + k.toLowerCase().replace(/ /g, '-');
      els.summary.append(k + ': ', b);
    });
  }

  els.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    focusEvent = null;
    run(true);
  });
  els.country.addEventListener('change', () => {
    clearError();
    focusEvent = null;
    setDefaultRange(current());
    run(true);
  });
  window.addEventListener('popstate', () => {
    if (!countries.length) return;
    applyUrl();
    run(false);
  });
  loadCountries()
    .then((ok) => ok && run(false))
    .catch((e) => showError(e.message));
})();
