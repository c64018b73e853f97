/**
 * Strips notebook outputs before commit: empty outputs, null execution counts, no per-cell run metadata, notebook metadata
 * reduced to the kernel, keys sorted and one-space indent as Jupyter writes them (so diffs stay small).
 * Usage: npx tsx scripts/strip-notebooks.ts [--check] [notebooks/*.ipynb …]   (--check: exit 1 if any file would change)
 */
import * as fs from 'fs';
import * as path from 'path';

/** The parts of an nbformat-4 notebook this script touches. */
export interface Notebook {
  cells: { cell_type: string; id?: string; metadata?: Record<string, unknown>; source: string | string[]; outputs?: unknown[]; execution_count?: number | null }[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** Cell metadata worth keeping (tags drive tools such as papermill); run state such as `execution` or `scrolled` goes. */
const KEEP_CELL_METADATA = ['tags'];

/** A copy of `nb` without outputs, execution counts or run metadata. */
export function stripNotebook(nb: Notebook): Notebook {
  const cells = nb.cells.map((c) => {
    const metadata: Record<string, unknown> = {};
    for (const k of KEEP_CELL_METADATA) if (c.metadata?.[k] !== undefined) metadata[k] = c.metadata[k];
    const base = { ...c, metadata, source: Array.isArray(c.source) ? c.source : splitLines(c.source) };
    if (c.cell_type === 'code') return { ...base, outputs: [], execution_count: null };
    const { outputs: _o, execution_count: _e, ...rest } = base;
    return rest;
  });
  const ks = nb.metadata.kernelspec as Record<string, unknown> | undefined;
  const li = nb.metadata.language_info as Record<string, unknown> | undefined;
  const metadata: Record<string, unknown> = {};
  if (ks) metadata.kernelspec = ks;
  if (li?.name) metadata.language_info = { name: li.name };
  return { ...nb, cells, metadata };
}

/** Source text as Jupyter stores it: lines with their newline, the last one without. */
export function splitLines(s: string): string[] {
  const lines = s.split('\n');
  return lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)).filter((l, i, all) => !(i === all.length - 1 && l === ''));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** The file text: sorted keys, one-space indent, trailing newline (nbformat's own layout). */
export function formatNotebook(nb: Notebook): string {
  return JSON.stringify(sortKeys(nb), null, 1) + '\n';
}

/** The committed notebooks: notebooks/NN_*.ipynb. */
export function notebookFiles(root = path.join(__dirname, '..')): string[] {
  const dir = path.join(root, 'notebooks');
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d\d_.*\.ipynb$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const files = argv.filter((a) => a !== '--check');
  let changed = 0;
  for (const file of files.length ? files : notebookFiles()) {
    const text = fs.readFileSync(file, 'utf8');
    const out = formatNotebook(stripNotebook(JSON.parse(text) as Notebook));
    if (out === text) continue;
    changed++;
    if (check) process.stderr.write(`${file} has outputs or is not normalised; run: npx tsx scripts/strip-notebooks.ts\n`);
    else {
      fs.writeFileSync(file, out);
      process.stdout.write(`stripped ${file}\n`);
    }
  }
  return check && changed ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
