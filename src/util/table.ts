/** Plain-text tables for CLI output. */

/** Renders rows as an aligned text table; numbers right-aligned. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)));
  const numeric = header.map((_, j) => rows.length > 0 && rows.every((r) => typeof r[j] === 'number' || /^[-+]?[\d.]+%?$/.test(String(r[j] ?? ''))));
  const line = (r: string[]) => r.map((c, j) => (numeric[j] ? (c ?? '').padStart(widths[j]) : (c ?? '').padEnd(widths[j]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** A rate as a percentage with `digits` decimals, or '-' when undefined. */
export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '-';
}
