/**
 * Reads the rows of a CSV whose first column (a timestamp) falls in a time window, as string columns, without
 * danfojs: answering one day from a three-year table then costs a text scan, not loading danfojs and TensorFlow.js.
 */
import * as fs from 'fs';

/** String columns of a CSV, every cell as written (no typing: callers parse and check). */
export interface CsvColumns {
  columns: string[];
  column(name: string): string[];
}

/**
 * Splits one CSV record into fields (RFC 4180: quoted fields may hold commas and doubled quotes; records never span
 * lines in processed tables, which hold one timestamp per line).
 */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

/**
 * The rows of `file` whose first field parses (Date.parse) to an instant in [fromMs, toMs), with the header's column
 * names. Empty lines are skipped; a row whose first field does not parse is kept, so the caller's validation reports it.
 */
export function readCsvWindow(file: string, fromMs: number, toMs: number): CsvColumns {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/);
  const columns = splitCsvLine(lines[0] ?? '').map((c) => c.trim());
  const cells: string[][] = columns.map(() => []);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const comma = line.indexOf(',');
    const first = comma < 0 ? line : line.slice(0, comma);
    const ms = Date.parse(first.replace(/^"|"$/g, ''));
    if (Number.isFinite(ms) && (ms < fromMs || ms >= toMs)) continue;
    const fields = splitCsvLine(line);
    for (let c = 0; c < columns.length; c++) cells[c].push(fields[c] ?? '');
  }
  const index = new Map(columns.map((c, i) => [c, i]));
  return {
    columns,
    column(name) {
      const i = index.get(name);
      if (i === undefined) throw new Error(`no column "${name}"`);
      return cells[i];
    },
  };
}
