/** Minimal leveled logger to stderr, so stdout stays clean for --json output. */

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

function threshold(): number {
  const l = (process.env.RADARWATCH_LOG ?? 'info') as Level;
  return LEVELS[l] ?? LEVELS.info;
}

function write(level: Level, msg: string): void {
  if (LEVELS[level] < threshold()) return;
  process.stderr.write(`${level === 'info' ? '' : level.toUpperCase() + ': '}${msg}\n`);
}

export const log = {
  debug: (m: string) => write('debug', m),
  info: (m: string) => write('info', m),
  warn: (m: string) => write('warn', m),
  error: (m: string) => write('error', m),
};
