/**
 * Debian's chromium driven by playwright-core, as the browser tests and `npm run screenshots` use it: one path, one set
 * of flags (headless, no sandbox, nothing that phones home), a fresh profile per run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The chromium binary: $CHROMIUM, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Its command-line flags. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** True when the chromium binary exists (tests skip without it). */
export function hasChromium(): boolean {
  return fs.existsSync(CHROMIUM);
}

/** Throws, saying how to install it, when the chromium binary is missing. */
export function requireChromium(): void {
  if (!hasChromium()) throw new Error(`No chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM=/path/to/chromium`);
}

/** A browser on a fresh temporary profile, and its first page. `close` shuts it and removes the profile. */
export interface OpenBrowser {
  context: BrowserContext;
  page: Page;
  /** The profile folder (a scratch directory for files a test needs beside the browser). */
  profile: string;
  close(): Promise<void>;
}

/** Starts chromium headless with a `viewport` (default 1280 × 900) on a fresh profile. */
export async function openBrowser(viewport = { width: 1280, height: 900 }): Promise<OpenBrowser> {
  requireChromium();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-chromium-'));
  try {
    // a fresh profile per run (playwright passes it as --user-data-dir)
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
    const page = await context.newPage();
    return {
      context,
      page,
      profile,
      async close() {
        await context.close();
        fs.rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Collects what a page must load without: console errors (CSP violations among them), script errors and failed
 * requests (`ignoreFailed` names the URLs whose abort is expected, e.g. a live stream left by navigation).
 */
export function collectProblems(page: Page, ignoreFailed: (url: string) => boolean = () => false): string[] {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('requestfailed', (r) => !ignoreFailed(r.url()) && problems.push(`request failed: ${r.url()}`));
  return problems;
}
