/** autocannon in a child process (so the load generator does not share the server's event loop), and a latency summary. */
import { spawn } from 'child_process';
import * as path from 'path';

const DRIVER = `
const autocannon = require('autocannon');
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
const o = JSON.parse(input);
let i = 0;
autocannon({ url: o.url, connections: o.connections, duration: o.duration, headers: o.headers || {}, requests: [{ setupRequest: (req) => ({ ...req, path: o.paths[i++ % o.paths.length] }) }] }, (err, r) => {
  if (err) { process.stderr.write(String(err.stack || err)); process.exit(1); }
  process.stdout.write(JSON.stringify({ latency: r.latency, requests: r.requests, throughput: r.throughput, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, ok: r['2xx'], total: r.requests.total, duration: r.duration }));
});
});`;

export interface CannonResult {
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  throughput: { average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  ok: number;
  total: number;
  duration: number;
}

/** Requests `paths` round-robin on `url` with `connections` connections for `duration` seconds, sending `headers`. */
export function cannon(url: string, paths: string[], duration: number, connections: number, headers: Record<string, string> = {}): Promise<CannonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', DRIVER], { cwd: path.resolve(__dirname, '..', '..'), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(JSON.stringify({ url, paths, connections, duration, headers }));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as CannonResult) : reject(new Error(`autocannon driver exited ${code}: ${err}`))));
  });
}

/** The parts of a run a bench JSON keeps. */
export function cannonSummary(r: CannonResult) {
  return {
    requests: r.total,
    ok: r.ok,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    reqPerSec: Math.round(r.requests.average),
    mbPerSec: Math.round((r.throughput.average / 1e6) * 10) / 10,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, mean: r.latency.average, max: r.latency.max },
  };
}

/** p50/p90/p99/mean/max of milliseconds. */
export function percentiles(ms: number[]): { n: number; p50: number; p90: number; p99: number; mean: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { n: s.length, p50: r(q(0.5)), p90: r(q(0.9)), p99: r(q(0.99)), mean: r(s.reduce((a, b) => a + b, 0) / s.length), max: r(s[s.length - 1]) };
}
