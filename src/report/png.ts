/** PNG twins of the HTML reports: each plot of a page rendered by headless Chromium (playwright-core) into `<page>-<n>.png` beside it. */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Browser } from 'playwright-core';
import { ConfigError, DataError } from '../errors';
import { writeFileAtomic } from '../util/fsx';

/** Chromium used when `RADARWATCH_CHROMIUM` is not set (Debian's `chromium` package). */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Flags that keep headless Chromium offline and quiet (no sandbox: it runs as root in containers). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface PngOptions {
  /** Chromium binary (default $RADARWATCH_CHROMIUM, else /usr/bin/chromium). */
  executablePath?: string;
  /** Page width in CSS pixels; plots fill it (default 1200). */
  width?: number;
  /** Device scale factor: 2 gives sharper images at 4× the bytes (default 1). */
  scale?: number;
  /** Longest wait for a page's plots, ms (default 60 s). */
  timeoutMs?: number;
}

// Evaluated in the page (a string, so this module needs no DOM typings): html.ts marks the body when every plot is drawn;
// older pages are done when each .fig holds plotly's svg.
const PLOTS_DRAWN =
  "document.body.hasAttribute('data-plotly-ready') || (document.querySelectorAll('.fig').length > 0 && Array.from(document.querySelectorAll('.fig')).every(function (d) { return d.querySelector('.main-svg'); }))";

/** A running browser that renders report pages; close() it when done. */
export interface PngRenderer {
  /** Renders every `.fig` plot of `htmlFile` to `<dir>/<name>-<n>.png` (n from 1); returns the files in page order. */
  render(htmlFile: string): Promise<string[]>;
  close(): Promise<void>;
}

/** `<dir>/<name>-<n>.png` for the n-th (1-based) plot of `<dir>/<name>.html`. */
export function pngPath(htmlFile: string, n: number): string {
  const dir = path.dirname(htmlFile);
  return path.join(dir, `${path.basename(htmlFile, path.extname(htmlFile))}-${n}.png`);
}

/** PNGs already written for a page, in plot order. */
export function existingPngs(htmlFile: string): string[] {
  const dir = path.dirname(htmlFile);
  const base = path.basename(htmlFile, path.extname(htmlFile));
  if (!fs.existsSync(dir)) return [];
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)\\.png$`);
  return fs
    .readdirSync(dir)
    .map((f) => ({ f, m: re.exec(f) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]))
    .map((x) => path.join(dir, x.f));
}

/** Starts headless Chromium. Throws ConfigError naming the fix when playwright-core or the browser is missing. */
export async function openPngRenderer(opts: PngOptions = {}): Promise<PngRenderer> {
  const executablePath = opts.executablePath ?? process.env.RADARWATCH_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (!fs.existsSync(executablePath)) {
    throw new ConfigError(`No Chromium at ${executablePath} to render PNGs. Install it (apt-get install chromium), point RADARWATCH_CHROMIUM at a Chromium binary, or skip PNGs with --no-png.`);
  }
  let pw: typeof import('playwright-core');
  try {
    // Loaded lazily: only PNG rendering needs a browser driver.
    pw = require('playwright-core') as typeof import('playwright-core');
  } catch {
    throw new ConfigError('playwright-core is not installed; run `npm install` (it drives Chromium to render PNGs), or skip PNGs with --no-png.');
  }
  const browser: Browser = await pw.chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  const width = opts.width ?? 1200;
  const timeout = opts.timeoutMs ?? 60_000;
  return {
    async render(htmlFile) {
      if (!fs.existsSync(htmlFile)) throw new DataError(`No report page at ${htmlFile} to render; write it first (radarwatch analyze …).`);
      const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: opts.scale ?? 1 });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      // Reports are self-contained: any request leaving the file is a bug (e.g. a CDN script), so block it.
      await page.route(/^(?!file:|data:|blob:)/, (route) => {
        problems.push(`blocked request to ${route.request().url()}`);
        return route.abort();
      });
      try {
        const fail = () => new DataError(`${htmlFile} did not render cleanly: ${problems.join('; ')}`);
        await page.goto(pathToFileURL(path.resolve(htmlFile)).href, { waitUntil: 'load', timeout });
        if (problems.length) throw fail();
        await page.waitForFunction(PLOTS_DRAWN, undefined, { timeout });
        if (problems.length) throw fail();
        const figs = await page.$$('.fig');
        for (const old of existingPngs(htmlFile)) fs.rmSync(old, { force: true });
        const files: string[] = [];
        for (let i = 0; i < figs.length; i++) {
          const file = pngPath(htmlFile, i + 1);
          writeFileAtomic(file, await figs[i].screenshot({ type: 'png', animations: 'disabled' }));
          files.push(file);
        }
        return files;
      } finally {
        await page.close();
      }
    },
    async close() {
      await browser.close();
    },
  };
}
