/** The analysis index: results/analysis/index.html linking every country's report pages and their PNGs, rebuilt from what is on disk. */
import * as fs from 'fs';
import * as path from 'path';
import { resultsRoot } from '../data/paths';
import { writeFileAtomic } from '../util/fsx';
import { countryName } from '../util/countries';
import { escapeHtml, htmlPage } from './html';
import { existingPngs } from './png';

/** Report pages in pipeline order; other `.html` files in a country folder follow alphabetically. */
export const REPORT_ORDER = ['eda', 'training', 'tuning', 'calibration', 'testing'] as const;

/** One report page of one country, paths relative to the analysis root. */
export interface IndexReport {
  name: string;
  html: string;
  pngs: string[];
  modified: string;
}

export interface IndexEntry {
  country: string;
  reports: IndexReport[];
}

/** Folder of the analysis pages (`<results>/analysis`). */
export function analysisRoot(): string {
  return path.join(resultsRoot(), 'analysis');
}

const toUrl = (p: string) => p.split(path.sep).map(encodeURIComponent).join('/');

/**
 * Lists the report pages under `root`: one entry per country folder (sorted), plus an empty entry for each of
 * `countries` without a folder, so the index shows what is still missing.
 */
export function scanAnalyses(root: string = analysisRoot(), countries: string[] = []): IndexEntry[] {
  const dirs = fs.existsSync(root) ? fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  const all = [...new Set([...dirs, ...countries])].sort();
  const rank = (n: string) => {
    const i = (REPORT_ORDER as readonly string[]).indexOf(n);
    return i < 0 ? REPORT_ORDER.length : i;
  };
  return all.map((country) => {
    const dir = path.join(root, country);
    const pages = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.html')) : [];
    const reports = pages
      .map((f) => path.basename(f, '.html'))
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
      .map((name) => {
        const file = path.join(dir, `${name}.html`);
        return {
          name,
          html: toUrl(path.relative(root, file)),
          pngs: existingPngs(file).map((p) => toUrl(path.relative(root, p))),
          modified: fs.statSync(file).mtime.toISOString(),
        };
      });
    return { country, reports };
  });
}

const INDEX_CSS = 'table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.4rem .7rem;text-align:left;vertical-align:top}thead th{background:#e8eef7}td.none{color:#999;text-align:center}a.png{font-size:.85em}small{color:#666}';

/** The index page: one row per country, one cell per report kind with the page link and its PNG links. No scripts. */
export function renderIndexPage(entries: IndexEntry[], opts: { title?: string; generatedAt?: string } = {}): string {
  const title = opts.title ?? 'radarwatch analyses';
  const names = [...new Set(entries.flatMap((e) => e.reports.map((r) => r.name)))];
  const kinds = [...REPORT_ORDER.filter((k) => names.includes(k)), ...names.filter((n) => !(REPORT_ORDER as readonly string[]).includes(n)).sort()];
  const cell = (r: IndexReport | undefined) => {
    if (!r) return '<td class="none">—</td>';
    const pngs = r.pngs.map((p, i) => `<a class="png" href="${escapeHtml(p)}">png ${i + 1}</a>`).join(' ');
    return `<td><a class="page" href="${escapeHtml(r.html)}">${escapeHtml(r.name)}</a>${pngs ? `<br>${pngs}` : ''}<br><small>${escapeHtml(r.modified.slice(0, 16).replace('T', ' '))} UTC</small></td>`;
  };
  const rows = entries
    .map((e) => {
      const byName = new Map(e.reports.map((r) => [r.name, r]));
      return `<tr data-country="${escapeHtml(e.country)}"><th>${escapeHtml(e.country)}<br><small>${escapeHtml(countryName(e.country))}</small></th>${kinds.map((k) => cell(byName.get(k))).join('')}</tr>`;
    })
    .join('\n');
  const body = entries.length
    ? `<table>\n<thead><tr><th>country</th>${kinds.map((k) => `<th>${escapeHtml(k)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`
    : '<p>No analyses yet. Run <code>radarwatch analyze eda all</code> (or training, calibration, testing, tuning).</p>';
  const intro = `<p>${entries.length} countries · pages are self-contained (plotly inlined) and open offline${opts.generatedAt ? ` · generated ${escapeHtml(opts.generatedAt)}` : ''}</p>`;
  return htmlPage(title, `${intro}\n${body}`, { css: INDEX_CSS });
}

/** Rebuilds `<root>/index.html` from the pages on disk; returns the file and the entries it lists. */
export function writeIndexPage(opts: { root?: string; countries?: string[] } = {}): { file: string; entries: IndexEntry[] } {
  const root = opts.root ?? analysisRoot();
  const entries = scanAnalyses(root, opts.countries);
  const file = path.join(root, 'index.html');
  writeFileAtomic(file, renderIndexPage(entries, { generatedAt: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC' }));
  return { file, entries };
}
