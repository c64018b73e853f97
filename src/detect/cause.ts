/** Attributes a likely cause to an event from which signals drive its score and in which direction they moved. */
import type { Cause, EventSignal, ScoredHour } from './types';

/** Signals that carry traffic volume: a drop is an outage, a rise a traffic surge. */
const TRAFFIC = ['http', 'netflows'];

/**
 * Weight of a row in an event: the log-odds of its anomaly probability (a probability saturates near 1, so an hour a
 * thousand times rarer than the budget must weigh more than one ten times rarer); scores above 1 (the baseline's
 * robust z) weigh as they are.
 */
function weightOf(score: number): number {
  if (!(score > 0)) return 0;
  if (score >= 1) return score;
  const p = Math.min(score, 1 - 1e-12);
  return Math.max(1e-9, Math.log(p / (1 - p)));
}

/**
 * Score-weighted share and mean direction per signal over `hours` (anomalous ones, weighted by score),
 * sorted by share, largest first. `calendar` (categorical heads) is excluded from the ranking.
 */
export function aggregateSignals(hours: ScoredHour[]): { signal: string; share: number; direction: number }[] {
  const share = new Map<string, number>();
  const dir = new Map<string, number>();
  let total = 0;
  for (const h of hours) {
    const w = weightOf(h.score);
    total += w;
    for (const [s, v] of Object.entries(h.signals)) share.set(s, (share.get(s) ?? 0) + v * w);
    for (const [s, v] of Object.entries(h.direction)) dir.set(s, (dir.get(s) ?? 0) + v * w);
  }
  const out = [...share.entries()]
    .filter(([s]) => s !== 'calendar')
    .map(([signal, v]) => ({ signal, share: total > 0 ? v / total : 0, direction: total > 0 ? (dir.get(signal) ?? 0) / total : 0 }));
  return out.sort((a, b) => b.share - a.share);
}

/**
 * Picks the cause with the largest supporting share: traffic signals down → outage, traffic up → traffic_surge
 * (bot_surge when the bot share rose with it), L3 up → l3_ddos, L7 up → l7_attack, bot share up → bot_surge,
 * announced address space either way → routing_change. Signals outside the Radar set (imported
 * CSVs) fall back to traffic_drop / traffic_surge by the top signal's direction.
 */
export function attributeCause(agg: { signal: string; share: number; direction: number }[]): Cause {
  if (agg.length === 0) return 'unknown';
  const by = new Map(agg.map((a) => [a.signal, a]));
  const s = (name: string) => by.get(name)?.share ?? 0;
  const d = (name: string) => by.get(name)?.direction ?? 0;
  const known = agg.some((a) => TRAFFIC.includes(a.signal) || ['l3', 'l7', 'bot_share', 'bgp_ips'].includes(a.signal));
  if (!known) return agg[0].direction < 0 ? 'traffic_drop' : 'traffic_surge';
  const trafficShare = TRAFFIC.reduce((acc, t) => acc + s(t), 0);
  const trafficDir = TRAFFIC.reduce((acc, t) => acc + s(t) * d(t), 0);
  // Bots that raise their share also raise the traffic they are part of: a surge with more bots is a bot surge. Routes
  // withdrawn take their traffic with them: a drop led by announced space is a routing change, one led by traffic an
  // outage (measured on the generator's labels: the first version called 8 of 21 routing changes outages and 10 of
  // 14 bot surges traffic surges).
  const botsUp = d('bot_share') > 0 ? s('bot_share') : 0;
  const candidates: [Cause, number][] = [
    ['outage', trafficDir < 0 ? trafficShare : 0],
    ['traffic_surge', trafficDir > 0 && botsUp === 0 ? trafficShare : 0],
    ['l3_ddos', d('l3') > 0 ? s('l3') : 0],
    // An L7 attack is bot traffic too: the bots that rise with mitigated requests count for the attack.
    ['l7_attack', d('l7') > 0 ? s('l7') + botsUp : 0],
    ['bot_surge', botsUp > 0 ? botsUp + (trafficDir > 0 ? trafficShare : 0) : 0],
    ['routing_change', s('bgp_ips')],
  ];
  candidates.sort((a, b) => b[1] - a[1]);
  if (candidates[0][1] <= 0) return agg[0].direction < 0 ? 'traffic_drop' : 'unknown';
  return candidates[0][0];
}

/** The top `n` signals of an event, with direction words. */
export function topSignals(agg: { signal: string; share: number; direction: number }[], n: number): EventSignal[] {
  return agg.slice(0, n).map((a) => ({ signal: a.signal, share: Number(a.share.toFixed(4)), direction: a.direction < 0 ? 'down' : 'up' }));
}
