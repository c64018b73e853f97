import { strict as assert } from 'assert';
import { createGenerator } from '../../../src/data/generator';

const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2024, 7, 1);

describe('data/generator shifted knobs', () => {
  it('defaults leave the data unchanged: explicit 1s equal the implicit defaults', () => {
    const a = createGenerator({ seed: 5 });
    const b = createGenerator({ seed: 5, attackBurstiness: 1, anomalyDuration: 1, anomalyDepth: 1 });
    assert.deepEqual(a.anomalies('AT', FROM, TO), b.anomalies('AT', FROM, TO));
    const sa = a.simulate('AT', FROM, FROM + 30 * 86_400_000);
    const sb = b.simulate('AT', FROM, FROM + 30 * 86_400_000);
    assert.deepEqual(Array.from(sa.l3TargetBytes), Array.from(sb.l3TargetBytes));
  });

  it('anomalyDuration and anomalyDepth stretch and weaken the same schedule', () => {
    const base = createGenerator({ seed: 5, anomaliesPerMonth: 4 }).anomalies('DE', FROM, TO);
    const long = createGenerator({ seed: 5, anomaliesPerMonth: 4, anomalyDuration: 2 }).anomalies('DE', FROM, TO);
    const mean = (xs: { start: number; end: number }[]) => xs.reduce((s, a) => s + a.end - a.start, 0) / xs.length;
    assert.ok(mean(long) > 1.6 * mean(base), `${mean(long)} vs ${mean(base)}`);
    const shallow = createGenerator({ seed: 5, anomaliesPerMonth: 4, anomalyDepth: 0.5 }).anomalies('DE', FROM, TO);
    assert.equal(shallow.length, base.length);
    base.forEach((a, i) => {
      const s = shallow[i];
      assert.equal(s.kind, a.kind);
      if (a.kind === 'outage') assert.ok(Math.abs(1 - s.magnitude - 0.5 * (1 - a.magnitude)) < 1e-12);
      if (a.kind === 'l3_ddos' || a.kind === 'l7_attack') assert.ok(Math.abs(s.magnitude - 1 - 0.5 * (a.magnitude - 1)) < 1e-9);
      if (a.kind === 'traffic_surge' || a.kind === 'bot_surge') assert.ok(Math.abs(s.magnitude - 0.5 * a.magnitude) < 1e-12);
    });
  });

  it('ramadan moves human traffic on fasting days only, in countries that observe it, into the night', () => {
    // Ramadan 2024: 11 March – 9 April (Cairo)
    const from = Date.UTC(2024, 2, 1);
    const to = Date.UTC(2024, 3, 20);
    const plain = createGenerator({ seed: 5, anomaliesPerMonth: 0 });
    const fasting = createGenerator({ seed: 5, anomaliesPerMonth: 0, ramadan: 1 });
    const a = plain.simulate('EG', from, to);
    const b = fasting.simulate('EG', from, to);
    const ratio = (hourUtc: number, d0: number, d1: number) => {
      const i = (Date.UTC(2024, 2, d0, hourUtc) - from) / 3_600_000;
      return b.humanRequests[i] / a.humanRequests[i];
    };
    for (let i = 0; i < a.timestamps.length; i++) {
      const local = new Date(a.timestamps[i] + 2 * 3_600_000).toISOString().slice(0, 10); // Cairo: UTC+2 in March and April 2024
      if (local < '2024-03-11' || local > '2024-04-09') assert.equal(b.humanRequests[i], a.humanRequests[i], local);
    }
    assert.ok(Math.abs(ratio(21, 20, 20) - 1.3) < 1e-9, `23:00 Cairo: ${ratio(21, 20, 20)}`);
    assert.ok(Math.abs(ratio(16, 20, 20) - 0.65) < 1e-9, `18:00 Cairo, iftar: ${ratio(16, 20, 20)}`);
    // Austria observes no Ramadan: identical
    assert.deepEqual(Array.from(fasting.simulate('AT', from, to).humanRequests), Array.from(plain.simulate('AT', from, to).humanRequests));
  });

  it('attackBurstiness makes unlabelled attack-background bursts more frequent and larger', () => {
    const ratioOver = (b: number) => {
      const s = createGenerator({ seed: 6, anomaliesPerMonth: 0, attackBurstiness: b }).simulate('JP', FROM, TO);
      const x = Array.from(s.l3TargetBytes);
      const sorted = [...x].sort((p, q) => p - q);
      return sorted[Math.floor(0.995 * (x.length - 1))] / sorted[Math.floor(0.5 * (x.length - 1))];
    };
    assert.ok(ratioOver(3) > 1.3 * ratioOver(1), `${ratioOver(3)} vs ${ratioOver(1)}`);
  });
});
