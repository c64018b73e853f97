/**
 * The lowest floors of src/ stay layered: base/ (time axis, label windows) imports nothing else of src, radar/ (the
 * API client) and data/ (raw store readers, generator, preprocess) both build on it, radar/ never imports data/, and
 * no chain of imports leads from radar/ back into itself through data/.
 *
 * One documented exception: the local mock Radar server (src/radar/mock-server.ts, src/radar/mock/**) serves the
 * embedded generator (src/data/generator/**) in Radar's wire format. It is the synthetic data source, a data-layer
 * thing that lives next to the client only so that the client and its mock share one set of paths and query rules.
 * It may import src/data/generator/** and nothing else of data/; the generator in turn imports nothing of radar/, so
 * the exception cannot close a cycle (checked below).
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.resolve(__dirname, '..', 'src');

function listTs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listTs(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** `radar/fetch.ts` for an absolute path under src/. */
const rel = (file: string) => path.relative(SRC, file).split(path.sep).join('/');

interface ImportEdge {
  /** Importing file, relative to src/. */
  from: string;
  /** Imported module, relative to src/ (a .ts file or a folder's index.ts). */
  to: string;
  /** Named bindings (`a`, `b` of `import { a, type b as c }`); empty for `* as x`, default or side-effect imports. */
  names: string[];
  /** `export … from` (a re-export) rather than an import. */
  reexport: boolean;
}

/** Module specifiers of static imports and re-exports, `require('…')` and `import('…')` in a source text. */
function importsOf(text: string): { spec: string; names: string[]; reexport: boolean }[] {
  const out: { spec: string; names: string[]; reexport: boolean }[] = [];
  const stmt = /(?:^|\n)\s*(import|export)\s+(?:type\s+)?([^;]*?)\s+from\s+'([^']+)'/g;
  for (const m of text.matchAll(stmt)) {
    const braces = /\{([\s\S]*)\}/.exec(m[2]);
    const names = braces ? braces[1].split(',').map((x) => x.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0].trim()).filter(Boolean) : [];
    out.push({ spec: m[3], names, reexport: m[1] === 'export' });
  }
  for (const m of text.matchAll(/(?:require|import)\(\s*'([^']+)'\s*\)/g)) out.push({ spec: m[1], names: [], reexport: false });
  return out;
}

function resolve(fromFile: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined; // a package
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const cand of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(cand)) return rel(cand);
  return undefined;
}

const FILES = listTs(SRC);
const EDGES: ImportEdge[] = FILES.flatMap((f) =>
  importsOf(fs.readFileSync(f, 'utf8')).flatMap(({ spec, names, reexport }) => {
    const to = resolve(f, spec);
    return to ? [{ from: rel(f), to, names, reexport }] : [];
  }),
);

const under = (p: string, folder: string) => p.startsWith(`${folder}/`);
const isMock = (p: string) => p === 'radar/mock-server.ts' || under(p, 'radar/mock');
const show = (es: ImportEdge[]) => es.map((e) => `${e.from} → ${e.to}${e.names.length ? ` (${e.names.join(', ')})` : ''}`).join('\n  ');

/** Names exported by the files of `folder` (export const/function/class/interface/type/enum, and export { … }). */
function exportedNames(folder: string): Set<string> {
  const names = new Set<string>();
  for (const f of FILES.filter((x) => under(rel(x), folder))) {
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/export\s+(?:declare\s+)?(?:const|let|function|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
    for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) for (const n of m[1].split(',')) if (n.trim()) names.add(n.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim());
  }
  return names;
}

/**
 * Strongly connected components with more than one node (Tarjan) of the import graph of src/, each file mapped to
 * its node by `nodeOf` (the file itself, or e.g. its folder).
 */
function importCycles(nodeOf: (file: string) => string = (f) => f): string[][] {
  const adj = new Map<string, string[]>();
  for (const e of EDGES) {
    const [a, b] = [nodeOf(e.from), nodeOf(e.to)];
    if (a !== b) adj.set(a, [...(adj.get(a) ?? []), b]);
  }
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const f of FILES.map((x) => nodeOf(rel(x)))) if (!idx.has(f)) visit(f);
  return out;
}

describe('architecture: base ← radar, base ← data', () => {
  it('sees the imports it checks (the scanner is not blind)', () => {
    assert.ok(EDGES.some((e) => e.from === 'radar/fetch.ts' && e.to === 'base/time.ts'), 'radar/fetch imports base/time');
    assert.ok(EDGES.some((e) => e.from === 'data/live.ts' && e.to === 'radar/fetch.ts' && e.names.includes('fetchRadar')), 'data/live imports fetchRadar');
    assert.ok(EDGES.some((e) => e.from === 'radar/mock/routes.ts' && under(e.to, 'data/generator')), 'the mock imports the generator');
  });

  it('base/ imports nothing of src/ outside base/', () => {
    assert.deepEqual(show(EDGES.filter((e) => under(e.from, 'base') && !under(e.to, 'base'))), '');
  });

  it('radar/ imports nothing of data/, except the mock server, which may import only the generator', () => {
    const bad = EDGES.filter((e) => under(e.from, 'radar') && under(e.to, 'data') && !(isMock(e.from) && under(e.to, 'data/generator')));
    assert.deepEqual(show(bad), '', 'radar/ must not import data/: move shared code to base/');
  });

  it('the generator the mock serves imports nothing of radar/, so the mock exception closes no cycle', () => {
    assert.deepEqual(show(EDGES.filter((e) => under(e.from, 'data/generator') && under(e.to, 'radar'))), '');
  });

  it('data/ takes nothing from radar/ that base/ provides (the time axis and label windows come from base/)', () => {
    const base = exportedNames('base');
    assert.ok(base.has('HOUR_MS') && base.has('isoUtc') && base.has('mergeLabels'), 'base exports the moved names');
    const bad = EDGES.filter((e) => under(e.from, 'data') && under(e.to, 'radar')).map((e) => ({ ...e, names: e.names.filter((n) => base.has(n)) })).filter((e) => e.names.length > 0);
    assert.deepEqual(show(bad), '');
    // and radar/ does not hand base names on (a re-export would let data/ take them through radar/)
    assert.deepEqual(show(EDGES.filter((e) => under(e.from, 'radar') && under(e.to, 'base') && e.reexport)), '');
  });

  it('no import cycle runs through both radar/ and data/, file by file or folder by folder', () => {
    const mixed = (sccs: string[][]) => sccs.filter((scc) => scc.some((f) => f === 'radar' || under(f, 'radar')) && scc.some((f) => f === 'data' || under(f, 'data')));
    assert.deepEqual(mixed(importCycles()), []);
    // folders: the top-level folder of src/, with the mock and the generator as nodes of their own (the exception above)
    const folderOf = (f: string) => (isMock(f) ? 'radar/mock' : under(f, 'data/generator') ? 'data/generator' : f.split('/')[0]);
    assert.deepEqual(mixed(importCycles(folderOf)), []);
  });
});
