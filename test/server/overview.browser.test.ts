import { strict as assert } from 'assert';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { collectProblems, hasChromium, openBrowser, type OpenBrowser } from '../../scripts/chromium';
import { HOUR_MS } from '../../src/base/time';
import { parseConfig } from '../../src/config/load';
import { createApp } from '../../src/server/app';
import { listen, type RunningServer } from '../../src/server/listen';
import { Watcher } from '../../src/watch/watcher';
import { startRadarProxy, TABLE_END_MS, trainTinyProject, type RadarProxy, type TinyProject } from '../watch/fixtures';
import { createFakeService, FAKE_ANOMALIES, FAKE_DATA_TO } from './fake-service';
import { commitHours, probabilityHours } from './live-fixture';
import { makeWatchDb } from './watch-fixture';

const config = parseConfig({ countries: ['AT', 'DE', 'FR', 'JP', 'US'], dateRange: { from: '2025-01-01', to: '2025-06-30' } });
const SERVED = ['AT', 'DE', 'FR', 'JP'];

/** Codes of the table's rows, in order. */
const rowCodes = (page: Page) => page.locator('[data-testid="country-row"]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.code));

describe('server/public overview (real browser)', function () {
  this.timeout(180_000);
  let browser: OpenBrowser | undefined;
  let profile: string | undefined;
  let page: Page;
  let problems: string[] = [];

  before(async function () {
    if (!hasChromium()) this.skip(); // no browser on this machine: nothing to drive
    browser = await openBrowser();
    ({ page, profile } = browser);
    // leaving a page aborts its live stream: that is not a failure
    problems = collectProblems(page, (url) => url.endsWith('/api/stream'));
  });

  after(async () => {
    await browser?.close();
  });

  describe('map, table and feed', () => {
    let srv: RunningServer | undefined;

    before(async () => {
      // FR: a medium bot surge in the last week; JP: nothing
      FAKE_ANOMALIES.FR = [{ start: '2025-06-27T08:00:00.000Z', hours: 3, kind: 'bot_surge', signals: { bot_share: 1 }, peak: 30 }];
      const watchDb = path.join(profile!, 'watch.db');
      makeWatchDb(watchDb);
      srv = await listen(createApp({ service: createFakeService(SERVED), config, watchDb }), { host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      delete FAKE_ANOMALIES.FR;
      // leave the page first: an open overview would keep reconnecting its live stream to the closed server
      await page?.goto('about:blank');
      await srv?.close();
    });

    it('when / opens, then the world map and one table row per trained country render, most urgent first', async () => {
      await page.goto(srv!.url + '/?window=7d');
      // four served countries and US (configured, no model) are coloured
      await page.waitForSelector('#map[data-places="5"] .choroplethlocation');
      assert.equal(await page.locator('#map .choroplethlocation').count(), 5);
      assert.deepEqual(await rowCodes(page), ['AT', 'DE', 'FR', 'JP']);
      const states = await page.locator('[data-testid="country-row"]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.state));
      assert.deepEqual(states, ['anomalous', 'event', 'event', 'normal']);
      const at = await page.locator('[data-testid="country-row"][data-code="AT"] td').allTextContents();
      assert.deepEqual(at.slice(0, 2), ['AT Austria', 'anomalous now']);
      assert.match(at[4], /^outage \(open\)$/);
      assert.match((await page.textContent('[data-testid="asof"]'))!, /2025-06-24 00:00 → 2025-07-01 00:00 UTC · historical/);
      await page.waitForSelector('[data-testid="live"][data-state="watching"]');
      // AT's L7 attack, DE's DDoS, FR's bot surge and AT's outage (the watcher's open event stands for the detected one)
      const feed = await page.locator('[data-testid="feed-item"]').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.country));
      assert.deepEqual(feed, ['AT', 'DE', 'FR', 'AT']);
      assert.deepEqual(problems, []);
    });

    it('when the Severity header is used (click or keyboard), then rows sort by severity, most severe first, then least first', async () => {
      await page.click('th button[data-sort="country"]');
      assert.deepEqual(await rowCodes(page), ['AT', 'DE', 'FR', 'JP']);
      await page.click('th button[data-sort="country"]');
      assert.deepEqual(await rowCodes(page), ['JP', 'FR', 'DE', 'AT']);
      await page.focus('[data-testid="sort-severity"]');
      await page.keyboard.press('Enter');
      const sev = () => page.locator('[data-testid="country-row"]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.severity));
      assert.deepEqual(await sev(), ['critical', 'critical', 'medium', '']);
      assert.deepEqual(await rowCodes(page), ['AT', 'DE', 'FR', 'JP'], 'equal severities: the more urgent state first');
      assert.equal(await page.getAttribute('th:has([data-testid="sort-severity"])', 'aria-sort'), 'descending');
      await page.keyboard.press('Enter');
      assert.deepEqual(await sev(), ['', 'medium', 'critical', 'critical']);
      assert.equal(await page.getAttribute('th:has([data-testid="sort-severity"])', 'aria-sort'), 'ascending');
    });

    it('when an event in the feed is followed, then the country view opens with that event in range and zoomed', async () => {
      await page.click('[data-testid="feed-item"][data-country="DE"] a');
      await page.waitForURL(/\/country\?country=DE&from=2025-06-27&to=2025-06-29&event=/);
      await page.waitForSelector('[data-testid="event-row"].focus');
      assert.equal(await page.inputValue('#country'), 'DE');
      assert.ok((await page.inputValue('#from')) <= '2025-06-28' && (await page.inputValue('#to')) >= '2025-06-28');
      const focused = await page.locator('[data-testid="event-row"].focus td').allTextContents();
      assert.deepEqual(focused.slice(0, 5), ['2025-06-28 10:00', '2025-06-28 12:00', '2', 'critical', 'L3/4 DDoS']);
      const range = (await page.evaluate(() => (document.getElementById('chart') as unknown as { layout: { xaxis: { range: string[] } } }).layout.xaxis.range)) as string[];
      assert.ok(Date.parse(range[0]) < Date.parse('2025-06-28T10:00:00Z') && Date.parse(range[1]) > Date.parse('2025-06-28T12:00:00Z'), `zoomed to ${range}`);
      // the overview is one click away
      await page.click('[data-testid="nav-overview"]');
      await page.waitForSelector('[data-testid="country-row"]');
      assert.deepEqual(problems, []);
    });

    it('when the page is 390 px wide (a phone), then the map, feed and table still render without horizontal page scroll', async () => {
      const phone = await browser!.context.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(srv!.url + '/?window=7d');
      await phone.waitForSelector('#map .choroplethlocation');
      assert.equal(await phone.locator('[data-testid="country-row"]').count(), 4);
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `page is ${overflow} px wider than the screen`);
      await phone.close();
    });
  });

  describe('peaks at probability 1', () => {
    let srv: RunningServer | undefined;

    before(async () => {
      // the watcher's first hours after the tables: a saturated outage in AT and a stronger one in DE
      const watchDb = path.join(profile!, 'saturated.db');
      const saturated = (evidence: number[]) => probabilityHours('AAA', Date.parse(FAKE_DATA_TO)).map((h, i) => ({ ...h, score: 1, evidence: evidence[i] }));
      commitHours(watchDb, 'AT', saturated([9.5, 11.5, 10]));
      commitHours(watchDb, 'DE', saturated([12, 17.5, 16]));
      srv = await listen(createApp({ service: createFakeService(['AT', 'DE']), config, watchDb }), { host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      await page?.goto('about:blank');
      await srv?.close();
    });

    it('when two countries both peak at probability 1, then the table shows each peak\'s evidence and ranks and sorts them by it', async () => {
      await page.goto(srv!.url + '/?window=24h');
      await page.waitForSelector('[data-testid="country-row"]');
      assert.deepEqual(await rowCodes(page), ['DE', 'AT']);
      const peaks = await page.locator('[data-testid="country-row"] td:nth-child(3)').allTextContents();
      assert.deepEqual(peaks, ['1.000 (evidence 17.5)', '1.000 (evidence 11.5)']);
      await page.click('th button[data-sort="peak"]');
      assert.deepEqual(await rowCodes(page), ['DE', 'AT']);
      await page.click('th button[data-sort="peak"]');
      assert.deepEqual(await rowCodes(page), ['AT', 'DE']);
      assert.deepEqual(problems, []);
    });
  });

  describe('live alerts from a running watcher', () => {
    let project: TinyProject | undefined;
    let proxy: RadarProxy | undefined;
    let srv: RunningServer | undefined;
    let watcher: Watcher | undefined;
    let now = TABLE_END_MS + HOUR_MS;

    before(async () => {
      // a real watcher: a tiny calibrated model of AT, live hours from the mock Radar with an outage injected
      project = await trainTinyProject(['AT']);
      proxy = await startRadarProxy(project.cfg, () => now);
      proxy.rules.outages = [{ country: 'AT', startMs: TABLE_END_MS + 10 * HOUR_MS, endMs: TABLE_END_MS + 14 * HOUR_MS, factor: 0.05 }];
      // no watcher has run yet: the database appears when it starts
      const watchDb = path.join(project.root, 'watch.db');
      srv = await listen(createApp({ service: createFakeService(['AT', 'DE']), config, watchDb }), { host: '127.0.0.1', port: 0 });
      watcher = await Watcher.open({ cfg: project.cfg, countries: ['AT'], source: 'radar', baseUrl: proxy.url, now: () => now, out: () => undefined, dbPath: watchDb, sleep: async () => undefined, hook: (step) => step === 'committed' && commits.push(Date.now()) });
    });
    const commits: number[] = [];
    after(async () => {
      await watcher?.close();
      await srv?.close();
      await proxy?.close();
      project?.cleanup();
    });

    it('when the watcher opens an event, then the page shows the alert within 2 s of its commit and the map and table update', async () => {
      await page.goto(srv!.url + '/');
      await page.waitForSelector('[data-testid="country-row"][data-code="AT"]');
      await page.waitForSelector('[data-testid="live"][data-state]');
      let opened = false;
      let cycleCommits: number[] = [];
      for (; now <= TABLE_END_MS + 36 * HOUR_MS && !opened; now += HOUR_MS) {
        commits.length = 0;
        const r = await watcher!.cycle();
        cycleCommits = [...commits];
        opened = r.alerts > 0 && watcher!.store.alerts('AT').some((a) => a.type === 'event_opened');
      }
      assert.ok(opened, 'the injected outage opened an event');
      const li = await page.waitForSelector('[data-testid="live-alert"][data-type="event_opened"][data-country="AT"]', { timeout: 2000 });
      const latency = Number(await li.getAttribute('data-received-at')) - cycleCommits[0];
      assert.ok(latency <= 2000, `the alert reached the page ${latency} ms after its commit`);
      assert.match((await li.textContent())!, /opened.*AT.*(outage|traffic drop)/);
      // the table and the map follow
      await page.waitForSelector('[data-testid="country-row"][data-code="AT"][data-state="anomalous"]', { timeout: 2000 });
      const z = await page.evaluate(() => {
        const d = (document.getElementById('map') as unknown as { data: { locations: string[]; z: number[] }[] }).data[0];
        return d.z[d.locations.indexOf('AUT')];
      });
      assert.equal(z, 0, 'AT is drawn in the "anomalous now" colour');
      await page.waitForSelector('[data-testid="live"][data-state="watching"]');
      assert.deepEqual(problems, []);
    });
  });
});
