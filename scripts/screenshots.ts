/**
 * `npm run screenshots`: serves the page (as `radarwatch serve` does) and saves screenshots of the overview and of the
 * country view of its most urgent country, at 1280 px and at phone width, to results/screenshots/.
 *   --demo         250 made-up series from the in-memory bench service instead of the models under results/models
 *   --window W     the overview's window: 24h | 7d | 30d (default 7d)
 *   --out DIR      where to write (default results/screenshots)
 * Needs Debian's chromium (/usr/bin/chromium, or CHROMIUM=path); playwright-core drives it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../src/config/load';
import { resultsRoot } from '../src/data/paths';
import { createDetectionService } from '../src/detect/service';
import { createApp } from '../src/server/app';
import type { DetectionService } from '../src/server/deps';
import { listen } from '../src/server/listen';
import type { Overview } from '../src/server/overview';
import { defaultWatchDbPath } from '../src/watch/store';
import { createMemoryService } from './bench/memory-service';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from './chromium';

const SIZES = { desktop: { width: 1280, height: 1000 }, phone: { width: 390, height: 1400 } };

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const demo = args.includes('--demo');
  const window = flag(args, '--window') ?? '7d';
  const out = flag(args, '--out') ?? path.join(resultsRoot(), 'screenshots');
  requireChromium();
  const cfg = loadConfig();
  const service: DetectionService = demo ? createMemoryService() : await createDetectionService(cfg);
  const watchDb = demo ? undefined : defaultWatchDbPath();
  const running = await listen(createApp({ service, config: cfg, watchDb }), { host: '127.0.0.1', port: 0 });
  let browser: Browser | undefined;
  try {
    fs.mkdirSync(out, { recursive: true });
    const overview = (await (await fetch(`${running.url}/api/overview?window=${window}`)).json()) as Overview;
    const top = overview.countries[0];
    const countryUrl = top.event ? top.event.view : `country?country=${encodeURIComponent(top.code)}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const written: string[] = [];
    for (const [size, viewport] of Object.entries(SIZES)) {
      const page = await browser.newPage({ viewport });
      await page.goto(`${running.url}/?window=${window}`);
      await page.waitForSelector('#map[data-places] .choroplethlocation', { timeout: 60_000 });
      const suffix = size === 'desktop' ? '' : `-${size}`;
      const o = path.join(out, `overview${suffix}.png`);
      // the first screen: map, feed and the most urgent rows (250 rows make a full-page image 9,000 px tall)
      await page.screenshot({ path: o });
      await page.goto(`${running.url}/${countryUrl}`);
      await page.waitForSelector('#summary:not([hidden])', { timeout: 60_000 });
      const c = path.join(out, `country${suffix}.png`);
      await page.screenshot({ path: c, fullPage: true });
      written.push(o, c);
      await page.close();
    }
    process.stdout.write(`screenshots (${demo ? '250 in-memory series' : `${service.countries().length} trained models`}, window ${window}, country view of ${top.code}):\n${written.map((f) => `  ${f}`).join('\n')}\n`);
  } finally {
    await browser?.close();
    await running.close();
    await service.close?.();
  }
}

main().catch((e) => {
  process.stderr.write(`screenshots failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
