/** Progress bars on stderr (cli-progress) that stay silent when stderr is not a terminal or RADARWATCH_PROGRESS=0. */
import cliProgress from 'cli-progress';

export interface Progress {
  increment(n?: number, payload?: Record<string, unknown>): void;
  update(value: number, payload?: Record<string, unknown>): void;
  setTotal(total: number): void;
  stop(): void;
}

function enabled(): boolean {
  if (process.env.RADARWATCH_PROGRESS === '0') return false;
  if (process.env.RADARWATCH_PROGRESS === '1') return true;
  return Boolean(process.stderr.isTTY);
}

/**
 * Starts a progress bar. `format` may use cli-progress tokens ({bar} {value} {total} {eta_formatted})
 * and payload keys. Returns a no-op bar when progress output is disabled.
 */
export function startProgress(label: string, total: number, format = '{bar} {value}/{total} ETA {eta_formatted}', payload: Record<string, unknown> = {}): Progress {
  if (!enabled()) {
    return { increment() {}, update() {}, setTotal() {}, stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} ${format}`, stream: process.stderr, hideCursor: false, clearOnComplete: false, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, payload);
  return {
    increment: (n = 1, p) => bar.increment(n, p),
    update: (v, p) => bar.update(v, p),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
