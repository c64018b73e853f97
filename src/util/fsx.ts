/** Atomic file writes (temp file + rename) so a killed process never leaves a partial file. */
import * as fs from 'fs';
import * as path from 'path';

let counter = 0;
function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
}

/** Writes `data` to `file` atomically, creating parent folders. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempName(file);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes JSON (2-space indent) atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Reads a JSON file; returns undefined when it does not exist. */
export function readJsonIfExists<T>(file: string): T | undefined {
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Removes temp files a killed writer left behind in `dir` (recursively). */
export function removeStaleTemps(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += removeStaleTemps(p);
    else if (e.name.startsWith('.') && e.name.endsWith('.tmp')) {
      fs.rmSync(p, { force: true });
      n++;
    }
  }
  return n;
}
