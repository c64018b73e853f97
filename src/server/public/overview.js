// The overview's logic: asks /api/overview for the chosen window and draws the world map, the sortable country table and
// the feed of recent events; listens to /api/stream for the watcher's alerts and redraws when the watcher commits.
'use strict';

(function () {
  const rw = window.radarwatch;
  const WINDOWS = ['24h', '7d', '30d'];
  /** Label, sort rank (most urgent first) and map colour of each state. */
  const STATES = {
    anomalous: { label: 'anomalous now', rank: 0, color: '#d62728' },
    late: { label: 'data late', rank: 1, color: '#7d8a99' },
    event: { label: 'event in window', rank: 2, color: '#f0a202' },
    normal: { label: 'normal', rank: 3, color: '#7fb77e' },
    no_model: { label: 'no model', rank: 4, color: '#c9ced6' },
  };
  const STATE_ORDER = Object.keys(STATES);
  /** An ascending comparison of rows by `value`. */
  const byValue = (value) => (a, b) => {
    const va = value(a);
    const vb = value(b);
    return va < vb ? -1 : va > vb ? 1 : 0;
  };
  /** Rows by peak, ascending: by evidence where both have it, else by probability (as the server ranks them); no peak lowest. */
  function peakAscending(a, b) {
    const p = (r) => (r.peakProbability === null ? -1 : r.peakProbability);
    const above = (x, y) => rw.moreAnomalous(p(x), x.peakEvidence, p(y), y.peakEvidence);
    return Number(above(a, b)) - Number(above(b, a)) || p(a) - p(b);
  }
  /** How each column sorts (ascending), and whether its first click sorts descending (largest, newest, most severe first). */
  const SORTS = {
    country: { cmp: byValue((r) => r.code), desc: false },
    state: { cmp: byValue((r) => -STATES[r.state].rank), desc: true },
    peak: { cmp: peakAscending, desc: true },
    severity: { cmp: byValue((r) => (r.event ? rw.SEVERITY_RANK[r.event.severity] : 0)), desc: true },
    cause: { cmp: byValue((r) => (r.event ? rw.causeName(r.event.cause) : '~')), desc: false },
    lastData: { cmp: byValue((r) => r.lastDataHour), desc: true },
    trainedTo: { cmp: byValue((r) => r.trainedTo), desc: true },
  };
  const LIVE_ALERTS_SHOWN = 20;

  const $ = (id) => document.getElementById(id);
  const els = {
    windows: $('windows'), asof: $('asof'), live: $('live'), error: $('error'), map: $('map'), counts: $('counts'),
    table: $('countries'), body: $('countries-body'), feed: $('feed'), liveSection: $('live-section'), liveList: $('live-alerts'),
  };
  const params = new URLSearchParams(location.search);
  let win = WINDOWS.includes(params.get('window')) ? params.get('window') : '24h';
  /** Column and direction of the table's order; null = the server's order (most urgent first). */
  let sort = null;
  let data = null;
  let refreshTimer = null;
  let loading = null;

  function showError(msg) {
    els.error.textContent = msg;
    els.error.hidden = !msg;
  }

  /** Compares two rows by the chosen column, then by urgency, so equal values keep a useful order. */
  function compare(a, b) {
    if (!sort) return 0;
    const c = SORTS[sort.key].cmp(a, b);
    if (c) return sort.dir === 'descending' ? -c : c;
    return STATES[a.state].rank - STATES[b.state].rank || peakAscending(b, a) || a.code.localeCompare(b.code);
  }

  async function load() {
    if (loading) return loading;
    loading = (async () => {
      try {
        data = await rw.getJson('api/overview?' + new URLSearchParams({ window: win }));
        render();
        showError(data.warnings && data.warnings.length ? 'Note: ' + data.warnings.join('; ') : '');
      } catch (e) {
        showError(e.message);
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  /** Redraws soon: the watcher commits several things in a burst. */
  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => (loading ? loading.then(load) : load()), 150);
  }

  function render() {
    renderHeader();
    renderTable();
    renderFeed();
    return drawMap();
  }

  function renderHeader() {
    const range = 'Window ' + rw.fmtTime(data.from) + ' → ' + rw.fmtTime(data.to) + ' UTC';
    els.asof.textContent = data.historical ? range + ' · historical data: the window ends where the data ends' : range;
    els.counts.textContent =
      '(' + data.countries.length + ' with a model: ' +
      ['anomalous', 'event', 'late', 'normal'].map((s) => data.counts[s] + ' ' + STATES[s].label).join(', ') +
      (data.counts.no_model ? '; ' + data.counts.no_model + ' without' : '') + ')';
    for (const b of els.windows.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.window === win));
  }

  function link(href, text) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    return a;
  }

  function renderTable() {
    // keep keyboard focus on the same row across a live redraw
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('tr[data-code]');
    const focusCode = focused ? focused.dataset.code : null;
    for (const th of els.table.querySelectorAll('th')) {
      const key = th.querySelector('button').dataset.sort;
      th.setAttribute('aria-sort', sort && sort.key === key ? sort.dir : 'none');
    }
    const rows = sort ? [...data.countries].sort(compare) : data.countries;
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      tr.className = 'empty';
      tr.appendChild(rw.cell('No models are loaded. Train some with `radarwatch train`, then restart the server.'));
      tr.firstChild.colSpan = 7;
      els.body.replaceChildren(tr);
      return;
    }
    const frag = document.createDocumentFragment();
    for (const r of rows) {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'country-row';
      tr.dataset.code = r.code;
      tr.dataset.state = r.state;
      tr.dataset.severity = r.event ? r.event.severity : '';
      const name = rw.cell('');
      const cc = link('country?' + new URLSearchParams({ country: r.code }), r.code);
      cc.title = r.name;
      name.append(cc, ' ');
      const n = document.createElement('span');
      n.className = 'name';
      n.textContent = r.name;
      name.append(n);
      const state = rw.cell('');
      const st = document.createElement('span');
      st.className = 'state st-' + r.state;
      st.textContent = STATES[r.state].label;
      state.append(st);
      if (r.watch && r.watch.status !== 'ok') state.title = 'watcher: data ' + r.watch.status + (r.watch.detail ? ' — ' + r.watch.detail : '');
      // the evidence (decades) tells peaks apart where the probability reads 1.000
      const peak = rw.cell(r.peakProbability === null ? '–' : r.peakProbability.toFixed(3) + rw.evidenceText(r.peakEvidence), 'num');
      if (r.peakAt) peak.title = 'at ' + rw.fmtTime(r.peakAt) + ' UTC (threshold ' + data.threshold + ')';
      const sev = rw.cell('');
      const cause = rw.cell('–', 'cause');
      if (r.event) {
        sev.append(rw.severityBadge(r.event.severity));
        cause.replaceChildren(link(r.event.view, rw.causeName(r.event.cause) + (r.event.status === 'open' ? ' (open)' : '')));
        cause.title = rw.fmtTime(r.event.start) + ' UTC, ' + rw.fmtHours(r.event.hours) + ' · ' + rw.topSignals(r.event.topSignals) + (r.events > 1 ? ' · ' + r.events + ' events in window' : '');
      } else sev.textContent = '–';
      const last = rw.cell(rw.fmtTime(r.lastDataHour) + (r.hoursBehind > 0 ? ' (' + rw.fmtHours(r.hoursBehind) + ' behind)' : ''), 'opt');
      tr.append(name, state, peak, sev, cause, last, rw.cell(r.trainedTo.slice(0, 10), 'opt'));
      frag.append(tr);
    }
    els.body.replaceChildren(frag);
    if (focusCode) {
      const a = els.body.querySelector('tr[data-code="' + CSS.escape(focusCode) + '"] a');
      if (a) a.focus();
    }
  }

  /** One feed entry: severity, country, cause, start, duration, top signals; links to the country view around the event. */
  function eventItem(e, testid, badge) {
    const li = document.createElement('li');
    li.dataset.testid = testid;
    li.dataset.country = e.country;
    const a = link(e.view || 'country?' + new URLSearchParams({ country: e.country }), '');
    const head = document.createElement('span');
    head.className = 'head';
    if (badge) {
      const b = document.createElement('span');
      b.className = 'badge';
      b.textContent = badge;
      head.append(b, ' ');
    }
    head.append(rw.severityBadge(e.severity), ' ');
    const cc = document.createElement('b');
    cc.textContent = e.country;
    head.append(cc, ' ' + (e.name || '') + ' — ' + rw.causeName(e.cause));
    const meta = document.createElement('span');
    meta.className = 'meta';
    const duration = rw.fmtHours(e.hours) + (e.status === 'open' ? ', ongoing' : '');
    meta.textContent = rw.fmtTime(e.start) + ' UTC · ' + duration + (e.topSignals.length ? ' · ' + rw.topSignals(e.topSignals) : '');
    a.append(head, meta);
    li.append(a);
    return li;
  }

  function renderFeed() {
    if (data.feed.length === 0) {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = 'No events in this window.';
      els.feed.replaceChildren(li);
      return;
    }
    els.feed.replaceChildren(...data.feed.map((e) => eventItem(e, 'feed-item')));
  }

  function drawMap() {
    const places = [];
    for (const r of data.countries) if (r.iso3) places.push({ iso3: r.iso3, code: r.code, state: r.state, text: r.name + ' (' + r.code + ')<br>' + STATES[r.state].label + (r.peakProbability !== null ? '<br>peak probability ' + r.peakProbability.toFixed(3) + rw.evidenceText(r.peakEvidence) : '') + (r.event ? '<br>' + r.event.severity + ' ' + rw.causeName(r.event.cause) : '') });
    for (const u of data.unmodelled) if (u.iso3) places.push({ iso3: u.iso3, code: u.code, state: 'no_model', text: u.name + ' (' + u.code + ')<br>no model' });
    const n = STATE_ORDER.length - 1;
    // a stepped colour scale: state i of n owns the band around i / n
    const colorscale = [];
    STATE_ORDER.forEach((s, i) => {
      colorscale.push([Math.max(0, (i - 0.5) / n), STATES[s].color], [Math.min(1, (i + 0.5) / n), STATES[s].color]);
    });
    const trace = {
      type: 'choropleth',
      locationmode: 'ISO-3',
      locations: places.map((p) => p.iso3),
      z: places.map((p) => STATE_ORDER.indexOf(p.state)),
      customdata: places.map((p) => p.code),
      text: places.map((p) => p.text),
      hovertemplate: '%{text}<extra></extra>',
      zmin: 0,
      zmax: n,
      colorscale: colorscale,
      showscale: false,
      marker: { line: { color: '#ffffff', width: 0.5 } },
    };
    const narrow = els.map.clientWidth < 700;
    const layout = {
      height: narrow ? 240 : 420,
      margin: { l: 0, r: 0, t: 0, b: 0 },
      paper_bgcolor: 'rgba(0,0,0,0)',
      geo: {
        resolution: data.map.resolution,
        projection: { type: 'natural earth' },
        showframe: false,
        showcoastlines: false,
        showland: true,
        landcolor: '#eceff3',
        showcountries: true,
        countrycolor: '#ffffff',
        lataxis: { range: [-58, 85] },
        bgcolor: 'rgba(0,0,0,0)',
      },
    };
    return Plotly.react(els.map, [trace], layout, { topojsonURL: 'vendor/topojson/', responsive: true, displaylogo: false, displayModeBar: false }).then(() => {
      els.map.dataset.places = String(places.length);
      if (!els.map.dataset.bound) {
        els.map.dataset.bound = '1';
        els.map.on('plotly_click', (ev) => {
          const code = ev.points && ev.points[0] && ev.points[0].customdata;
          if (code && data.countries.some((r) => r.code === code)) location.href = 'country?' + new URLSearchParams({ country: code });
        });
      }
    });
  }

  /** The country view on the days around an event (as the server's OverviewEvent.view). */
  function eventView(country, e) {
    const DAY_MS = 86400000;
    const day = (ms) => new Date(ms).toISOString().slice(0, 10);
    const from = Math.floor(Date.parse(e.start) / DAY_MS) * DAY_MS - DAY_MS;
    const to = Math.floor((Date.parse(e.end) - 1) / DAY_MS) * DAY_MS + DAY_MS;
    return 'country?' + new URLSearchParams({ country: country, from: day(from), to: day(to), event: e.start });
  }

  /** A pushed alert, at the top of the live list (event alerts as events, data alerts as a line). */
  function addLiveAlert(a) {
    const kind = { event_opened: 'opened', event_updated: 'updated', event_closed: 'closed', data_late: 'data late', data_missing: 'data missing', data_ok: 'data back' }[a.type] || a.type;
    let li;
    if (a.event) {
      li = eventItem(Object.assign({}, a.event, { country: a.country, name: '', view: eventView(a.country, a.event) }), 'live-alert', kind);
    } else {
      li = document.createElement('li');
      li.dataset.testid = 'live-alert';
      li.dataset.country = a.country;
      const b = document.createElement('span');
      b.className = 'badge';
      b.textContent = kind;
      const d = a.data || {};
      li.append(b, ' ', a.country + (d.newestHour ? ' — newest hour ' + rw.fmtTime(d.newestHour) + ' UTC' : '') + (d.hoursBehind ? ', ' + rw.fmtHours(d.hoursBehind) + ' behind' : '') + (d.reason ? ' (' + d.reason + ')' : ''));
    }
    li.dataset.type = a.type;
    // when it reached the page (the browser test measures commit → page)
    li.dataset.receivedAt = String(Date.now());
    li.classList.add('fresh');
    els.liveList.prepend(li);
    while (els.liveList.children.length > LIVE_ALERTS_SHOWN) els.liveList.lastChild.remove();
    els.liveSection.hidden = false;
  }

  function setLive(state) {
    const text = { watching: '● live: watcher connected', waiting: '● live: no watcher has run yet', none: '○ not live: no watch database', reconnecting: '○ reconnecting…' }[state];
    els.live.textContent = text;
    els.live.className = 'live ' + (state === 'reconnecting' || state === 'none' ? 'off' : state);
    els.live.dataset.state = state;
  }

  function connect() {
    if (!window.EventSource) return;
    const es = new EventSource('api/stream');
    es.addEventListener('hello', (m) => {
      const h = JSON.parse(m.data);
      setLive(h.watch ? 'watching' : h.configured ? 'waiting' : 'none');
    });
    es.addEventListener('alert', (m) => {
      addLiveAlert(JSON.parse(m.data));
      scheduleRefresh();
    });
    es.addEventListener('changed', (m) => {
      if (JSON.parse(m.data).watch) setLive('watching');
      scheduleRefresh();
    });
    // EventSource reconnects by itself, sending the id of the last alert it saw
    es.addEventListener('error', () => setLive('reconnecting'));
  }

  els.windows.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-window]');
    if (!b || b.dataset.window === win) return;
    win = b.dataset.window;
    const q = new URLSearchParams(location.search);
    q.set('window', win);
    history.replaceState(null, '', '?' + q);
    load();
  });
  els.table.querySelector('thead').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-sort]');
    if (!b) return;
    const key = b.dataset.sort;
    const first = SORTS[key].desc ? 'descending' : 'ascending';
    sort = sort && sort.key === key ? { key: key, dir: sort.dir === 'descending' ? 'ascending' : 'descending' } : { key: key, dir: first };
    if (data) renderTable();
  });
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    // the map's height follows the width class (phone / desktop)
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => data && drawMap(), 200);
  });

  load().then(connect);
})();
