import { strict as assert } from 'assert';
import { detectionTimelineFigure, metricsRows, metricsTableFigure, perKindFigure, testingData, testingFigures } from '../../src/report/testing';
import { trainedFixture } from './fixtures';

describe('report/testing', function () {
  this.timeout(120_000);

  it('testingData evaluates the test split like `radarwatch test` and keeps its hours', async () => {
    const { frame, det, cal } = await trainedFixture();
    const d = testingData(frame, det, cal);
    const t = det.meta.split.test;
    assert.equal(d.timestamps[0], Date.parse(t.from));
    assert.equal(d.timestamps.length, t.rows);
    assert.equal(d.evaluation.test.hours, t.rows);
    assert.equal(d.threshold, cal.threshold.value);
    assert.deepEqual(d.signals.map((s) => s.name), frame.signalNames);
    const r0 = frame.timestamps.indexOf(d.timestamps[0]);
    assert.equal(d.signals[0].values[5], frame.signals[frame.signalNames[0]][r0 + 5]);
    // the two test labels are evaluated, each either detected or missed
    assert.equal(d.evaluation.model.labeledEvents, 2);
    assert.equal(d.evaluation.model.detected.length + d.evaluation.model.missed.length, 2);
    assert.equal(d.labels.length, 2);
  });

  it('metrics table: autoencoder and baseline columns carry the evaluation\'s numbers', async () => {
    const { frame, det, cal } = await trainedFixture();
    const e = testingData(frame, det, cal).evaluation;
    const rows = metricsRows(e);
    const byName = Object.fromEntries(rows.map((r) => [r[0], r.slice(1)]));
    assert.deepEqual(byName['labelled events in test split'], [String(e.model.labeledEvents), String(e.baseline.labeledEvents)]);
    assert.deepEqual(byName['detected events'], [String(e.model.detectedEvents), String(e.baseline.detectedEvents)]);
    assert.equal(byName.F1[0], e.model.f1.toFixed(3));
    const cells = metricsTableFigure(e).data[0].cells as { values: string[][] };
    assert.deepEqual(cells.values[1], rows.map((r) => r[1]));
    assert.deepEqual(cells.values[2], rows.map((r) => r[2]));
    const kinds = perKindFigure(e).data;
    assert.deepEqual(kinds[0].x, ['outage', 'routing_change']);
    assert.deepEqual(kinds[0].y, [e.model.perKind.outage.detectionRate, e.model.perKind.routing_change.detectionRate]);
  });

  it('timeline: detected labels shaded green, missed red, raised events at their peaks, threshold on the score panel', async () => {
    const { frame, det, cal } = await trainedFixture();
    const d = testingData(frame, det, cal);
    const fig = detectionTimelineFigure(d);
    const shapes = fig.layout!.shapes as { x0: string; fillcolor: string }[];
    assert.equal(shapes.length, 2);
    for (const l of d.evaluation.model.detected) assert.equal(shapes.find((s) => s.x0 === l.start.slice(0, 19))!.fillcolor, '#2ca02c');
    for (const l of d.evaluation.model.missed) assert.equal(shapes.find((s) => s.x0 === l.start.slice(0, 19))!.fillcolor, '#d62728');
    const events = fig.data.find((t) => String(t.name).startsWith('raised events'))!;
    assert.deepEqual(events.y, d.events.map((e) => e.peakScore));
    const thr = fig.data.find((t) => String(t.name).startsWith('threshold'))!;
    assert.deepEqual(thr.y, [cal.threshold.value, cal.threshold.value]);
    assert.equal(testingFigures(d).length, 3);
  });
});
