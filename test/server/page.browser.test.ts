import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { collectProblems, hasChromium, openBrowser, type OpenBrowser } from '../../scripts/chromium';
import { parseConfig } from '../../src/config/load';
import { createApp } from '../../src/server/app';
import { listen, type RunningServer } from '../../src/server/listen';
import { createFakeService } from './fake-service';
import { makeWatchDb } from './watch-fixture';

const SCREENSHOT = path.join('results', 'screenshots', 'page.png');

describe('server/public country view (real browser)', function () {
  let srv: RunningServer | undefined;
  let browser: OpenBrowser | undefined;
  let page: Page;
  let problems: string[] = [];

  before(async function () {
    if (!hasChromium()) this.skip(); // no browser on this machine: nothing to drive
    const config = parseConfig({ countries: ['AT', 'DE'], dateRange: { from: '2025-01-01', to: '2025-06-30' } });
    browser = await openBrowser();
    page = browser.page;
    const watchDb = path.join(browser.profile, 'watch.db');
    makeWatchDb(watchDb);
    srv = await listen(createApp({ service: createFakeService(['AT', 'DE']), config, watchDb }), { host: '127.0.0.1', port: 0 });
    problems = collectProblems(page);
  });

  after(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('when the country view opens, then it shows the latest week at once and puts country and range in the URL', async () => {
    await page.goto(srv!.url + '/country');
    // the country list comes from /api/countries; the first country's last 7 days of data are scored without a click
    await page.waitForSelector('[data-testid="event-row"]');
    assert.equal(await page.inputValue('#country'), 'AT');
    assert.equal(await page.inputValue('#from'), '2025-06-24');
    assert.equal(await page.inputValue('#to'), '2025-06-30');
    assert.equal(new URL(page.url()).search, '?country=AT&from=2025-06-24&to=2025-06-30');
    // each hour's calibrated probability is drawn against the 0.5 threshold, and the summary names the peak and the newest hour
    const p = (await page.evaluate(() => (document.getElementById('chart') as unknown as { data: { name: string; y: number[] }[] }).data.find((t) => t.name === 'probability')!.y)) as number[];
    assert.equal(p.length, 168);
    assert.ok(p.every((v) => v >= 0 && v <= 1));
    assert.match((await page.textContent('[data-testid="summary-peak-probability"]'))!, /^0\.9\d\d \(evidence \d+\.\d\) at 2025-06-26 0\d:00$/);
    // the hover names each hour's evidence (decades) beside its probability
    const ev = (await page.evaluate(() => (document.getElementById('chart') as unknown as { data: { name: string; customdata: string[] }[] }).data.find((t) => t.name === 'probability')!.customdata)) as string[];
    assert.equal(ev.length, 168);
    assert.ok(ev.every((v) => /^ \(evidence -?\d+\.\d\)$/.test(v)), ev.slice(0, 3).join('|'));
    assert.match((await page.textContent('[data-testid="summary-newest-hour"]'))!, /^2025-06-30 23:00, probability 0\.\d{3}$/);
  });

  it('when a shared link names a country and range, then that view opens, and choosing another country updates the URL', async () => {
    await page.goto(srv!.url + '/country?country=de&from=2025-06-27&to=2025-06-29');
    await page.waitForSelector('[data-testid="event-row"]');
    assert.equal(await page.inputValue('#country'), 'DE');
    assert.match((await page.textContent('#summary'))!, /Range: 2025-06-27 00:00 → 2025-06-30 00:00 UTC · Hours: 72/);
    await page.selectOption('#country', 'AT');
    await page.waitForURL(/\?country=AT&from=2025-06-24&to=2025-06-30$/);
    await page.waitForSelector('text=Range: 2025-06-24 00:00');
    // back returns to the shared view
    await page.goBack();
    await page.waitForURL(/\?country=DE&from=2025-06-27&to=2025-06-29$/);
    await page.waitForSelector('text=Range: 2025-06-27 00:00');
    assert.deepEqual(problems, []);
  });

  it('when a country and range are chosen and Detect is pressed, then signal panels, probability panel and event rows render', async () => {
    await page.goto(srv!.url + '/country');
    await page.waitForSelector('#country option[value="DE"]', { state: 'attached' });
    await page.selectOption('#country', 'DE');
    await page.selectOption('#country', 'AT');
    await page.fill('#from', '2025-06-23');
    await page.fill('#to', '2025-06-30');
    await page.click('#run');
    await page.waitForURL(/from=2025-06-23/);
    await page.waitForSelector('text=Hours: 192');
    await page.waitForSelector('[data-testid="event-row"]');

    // 6 signal rows + 1 score row, each a plotly subplot
    const subplots = await page.locator('#chart .cartesianlayer .subplot').count();
    assert.equal(subplots, 7);
    const titles = await page.locator('#chart .annotation-text').allTextContents();
    for (const t of ['HTTP requests', 'L7 mitigated requests', 'Bot share of HTTP (%)', 'Calibrated anomaly probability vs threshold 0.5', 'label: outage', 'label: l7_attack']) {
      assert.ok(titles.includes(t), `missing chart title "${t}" in ${JSON.stringify(titles)}`);
    }
    // 2 event bands + 2 labelled-window outlines
    assert.equal(await page.locator('#chart .layer-below .shapelayer path, #chart .layer-above .shapelayer path').count(), 4);

    const rows = page.locator('[data-testid="event-row"]');
    assert.equal(await rows.count(), 2);
    const first = await rows.nth(0).locator('td').allTextContents();
    assert.deepEqual(first.slice(0, 5), ['2025-06-26 03:00', '2025-06-26 08:00', '5', 'high', 'outage']);
    assert.match(first[5], /^0\.9\d\d \(evidence \d+\.\d\)$/);
    assert.match(first[6], /^(netflows|http) ↓ \d+%, (netflows|http) ↓ \d+%, bgp_ips ↓ \d+%$/);
    assert.equal((await rows.nth(1).locator('td.cause').textContent())!.trim(), 'L7 attack');
    assert.match((await page.textContent('#summary'))!, /Hours: 192 · Anomalous hours: 8 · Events: 2/);
    assert.ok(await page.isHidden('#error'));
    // the live watcher's events in range (one still open since 2025-06-26 03:00)
    await page.waitForSelector('[data-testid="alert-row"]');
    const alert = await page.locator('[data-testid="alert-row"]').last().locator('td').allTextContents();
    assert.deepEqual(alert.slice(0, 3), ['open', '2025-06-26 03:00', '…']);

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.deepEqual(problems, []);
  });

  it('when the API refuses the range, then its message is shown in the page', async () => {
    // an old link to the first page lands on the country view
    await page.goto(srv!.url + '/?country=AT');
    await page.waitForURL(/\/country\?country=AT/);
    await page.waitForSelector('[data-testid="event-row"]');
    // within the data, so the date inputs accept it, but longer than server.maxRangeDays
    await page.fill('#from', '2025-01-01');
    await page.fill('#to', '2025-06-30');
    await page.click('#run');
    await page.waitForSelector('#error:not([hidden])');
    assert.equal((await page.textContent('#error'))!, '400 INPUT_ERROR: Range of 181 days is longer than the allowed 93 (server.maxRangeDays); split it into shorter requests');
    problems.length = 0; // the browser logs the 422 response itself
  });
});
