import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DETECTOR_FILES } from '../../src/model/artifact';
import { resultDirs } from '../../src/data/paths';
import { loadCountryDetector, loadCountryRun } from '../../src/detect/load';
import { createDetectionService } from '../../src/detect/service';
import { DataError } from '../../src/errors';
import { makeTinyRun, type TinyRun } from './fixtures';

/**
 * The probes of issue 14 against real model folders: a corrupt weights file, a NaN calibration threshold, a
 * negative threshold with temperature 0 and a zero scaler are load errors naming the file and the check — `detect`
 * exits 1 instead of reporting a quiet day, and the detection service (behind `serve`) skips the country and
 * reports it as degraded — from the start, whether it preloads its models or loads them on first request.
 */
describe('detect/load: corrupt model folders are refused, not served as "all normal"', function () {
  this.timeout(180_000);
  let run: TinyRun;
  const corrupt: Record<string, (dir: string) => void> = {
    'NaN weights': (dir) => {
      const w = path.join(dir, DETECTOR_FILES.weights);
      fs.writeFileSync(w, Buffer.from(new Float32Array(fs.statSync(w).size / 4).fill(NaN).buffer));
    },
    'threshold "NaN"': (dir) => {
      const f = path.join(dir, DETECTOR_FILES.calibration);
      const cal = JSON.parse(fs.readFileSync(f, 'utf8'));
      cal.threshold.value = 'NaN';
      fs.writeFileSync(f, JSON.stringify(cal));
    },
    'threshold −5, temperature 0': (dir) => {
      const f = path.join(dir, DETECTOR_FILES.calibration);
      const cal = JSON.parse(fs.readFileSync(f, 'utf8'));
      cal.threshold.value = -5;
      cal.temperature.T = 0;
      fs.writeFileSync(f, JSON.stringify(cal));
    },
    'scaler scale of zeros': (dir) => {
      const f = path.join(dir, DETECTOR_FILES.spec);
      const spec = JSON.parse(fs.readFileSync(f, 'utf8'));
      spec.scaler.scale = spec.scaler.scale.map(() => 0);
      fs.writeFileSync(f, JSON.stringify(spec));
    },
  };
  const want: Record<string, RegExp> = {
    'NaN weights': /weights\.bin: weight check failed: .*is NaN/,
    'threshold "NaN"': /calibration\.json: calibration check failed: threshold\.value is "NaN"/,
    'threshold −5, temperature 0': /calibration\.json: calibration check failed: threshold\.value is -5/,
    'scaler scale of zeros': /spec\.json: scaler check failed: scaler\.scale\[0\] .* is 0/,
  };
  const backup = new Map<string, Buffer>();

  before(async () => {
    run = await makeTinyRun({ countries: ['AT', 'DE'], epochs: 3 });
    const dir = resultDirs.model('DE');
    for (const f of fs.readdirSync(dir)) backup.set(f, fs.readFileSync(path.join(dir, f)));
  });
  after(() => run?.cleanup());
  afterEach(() => {
    const dir = resultDirs.model('DE');
    for (const [f, b] of backup) fs.writeFileSync(path.join(dir, f), b);
  });

  for (const name of Object.keys(corrupt)) {
    it(`when DE has ${name}, then loading it fails naming the file and the check, and the service serves AT and reports DE as degraded`, async () => {
      corrupt[name](resultDirs.model('DE'));
      await assert.rejects(loadCountryRun(run.cfg, 'DE'), (e: Error) => e instanceof DataError && want[name].test(e.message) && !e.message.includes('\n'));
      // preloaded (every model loaded at start) and lazy (only the checks that need no model load run at start): the
      // same verdict, and the lazy service loads nothing to reach it
      for (const preload of [true, false]) {
        const loads: string[] = [];
        const svc = await createDetectionService(run.cfg, { countries: ['AT', 'DE'], preload, loadDetector: (cfg, cc) => (loads.push(cc), loadCountryDetector(cfg, cc)) });
        try {
          assert.deepEqual(svc.countries().map((c) => c.code), ['AT'], `preload: ${preload}`);
          const degraded = svc.degraded?.() ?? [];
          assert.deepEqual(degraded.map((d) => d.country), ['DE']);
          assert.match(degraded[0].reason, want[name]);
          assert.deepEqual(loads, preload ? ['AT'] : []);
        } finally {
          await svc.close?.();
        }
      }
    });
  }
});
