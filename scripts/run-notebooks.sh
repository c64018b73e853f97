#!/usr/bin/env bash
# Executes every notebook headlessly on the tiny config (notebooks/tiny.yml) and fails if any cell errors.
# Everything is generated in a temp folder: synthetic data (fetch, preprocess), a tuned, trained, calibrated and tested
# model via the CLI, the headless twins (`analyze … AT`, HTML + PNG), then each notebook via nbconvert + the tslab kernel.
# The committed notebooks are never modified. Usage: scripts/run-notebooks.sh [notebooks/NN_name.ipynb …]
#   KEEP=1       keep the temp folder (its path is printed)
#   NB_TIMEOUT   per-cell timeout in seconds (default 600)
#   PYTHON       interpreter with jupyter nbconvert and Optuna (default /usr/bin/python3)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-/usr/bin/python3}"
NB_TIMEOUT="${NB_TIMEOUT:-600}"
T0=$SECONDS

WORK="$(mktemp -d "${TMPDIR:-/tmp}/radarwatch-notebooks.XXXXXX")"
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

# The notebooks and the CLI both read these: config, working folder (relative paths of the config and results/
# resolve there), country, no progress bars.
export RADARWATCH_CONFIG="$ROOT/notebooks/tiny.yml"
export RADARWATCH_WORKDIR="$WORK"
export RADARWATCH_RESULTS="$WORK/results"
export RADARWATCH_COUNTRY=AT
export RADARWATCH_PROGRESS=0
export RADARWATCH_PYTHON="${RADARWATCH_PYTHON:-$PYTHON}"
# The tslab kernel spec runs `tslab` from PATH.
export PATH="$ROOT/node_modules/.bin:$PATH"
# Worker threads and bare requires resolve packages from the working folder.
ln -s "$ROOT/node_modules" "$WORK/node_modules"

if ! "$PYTHON" -c 'import nbconvert, nbclient' 2>/dev/null; then
  echo "run-notebooks: $PYTHON lacks nbconvert/nbclient; install jupyter-nbconvert python3-nbclient python3-ipykernel (Debian) or use the conda env" >&2
  exit 1
fi
if ! jupyter kernelspec list 2>/dev/null | grep -qw tslab; then
  echo "run-notebooks: registering the tslab kernel" >&2
  tslab install --python="$PYTHON" >/dev/null
fi

# the installed bin, as users run it (dist/ from `npm ci`, or the sources when they changed since)
rw() { (cd "$WORK" && node "$ROOT/bin/radarwatch.js" "$@"); }
step() {
  local s=$SECONDS
  echo "== radarwatch $*" >&2
  rw "$@" >"$WORK/step.log" 2>&1 || { cat "$WORK/step.log" >&2; echo "run-notebooks: radarwatch $* failed" >&2; exit 1; }
  echo "   ok in $((SECONDS - s)) s" >&2
}

# 1. the tiny pipeline, through the CLI (which is also its smoke test)
step fetch --countries AT
step preprocess --countries AT
step tune AT
step train AT
step calibrate AT
step test AT
# 2. the headless twins of the notebooks (HTML + PNG + index)
for a in eda training tuning calibration testing; do step analyze "$a" AT; done
for f in eda training tuning calibration testing; do
  [ -s "$RADARWATCH_RESULTS/analysis/AT/$f.html" ] || { echo "run-notebooks: analyze $f wrote no $f.html" >&2; exit 1; }
done
[ -s "$RADARWATCH_RESULTS/analysis/index.html" ] || { echo "run-notebooks: no analysis index" >&2; exit 1; }
if [ -x "${RADARWATCH_CHROMIUM:-/usr/bin/chromium}" ]; then
  for f in eda training tuning calibration testing; do
    [ -s "$RADARWATCH_RESULTS/analysis/AT/$f-1.png" ] || { echo "run-notebooks: analyze $f wrote no $f-1.png" >&2; exit 1; }
  done
fi
echo "   setup done in $((SECONDS - T0)) s" >&2

# 3. the notebooks, executed into the temp folder
if [ $# -gt 0 ]; then notebooks=("$@"); else notebooks=(notebooks/[0-9][0-9]_*.ipynb); fi
failed=()
for nb in "${notebooks[@]}"; do
  s=$SECONDS
  out="$WORK/executed/$(basename "$nb")"
  mkdir -p "$WORK/executed"
  if "$PYTHON" -m nbconvert --to notebook --execute "$nb" --output "$out" \
      --ExecutePreprocessor.kernel_name=tslab --ExecutePreprocessor.timeout="$NB_TIMEOUT" >"$WORK/nb.log" 2>&1; then
    echo "== $nb ok in $((SECONDS - s)) s" >&2
  else
    echo "== $nb FAILED after $((SECONDS - s)) s" >&2
    grep -v -i 'debugger warning\|frozen_modules\|PYDEVD\|Debugging will proceed\|frozen modules' "$WORK/nb.log" | grep -A12 'CellExecutionError' >&2 || true
    # tslab reports a failing cell's error on stderr inside the cell, which nbconvert does not print: re-run keeping
    # errors and show the stderr of each cell.
    "$PYTHON" -m nbconvert --to notebook --execute --allow-errors "$nb" --output "$out" \
      --ExecutePreprocessor.kernel_name=tslab --ExecutePreprocessor.timeout="$NB_TIMEOUT" >/dev/null 2>&1 || true
    "$PYTHON" - "$out" >&2 <<'PY' || true
import json, sys
for i, c in enumerate(json.load(open(sys.argv[1]))['cells']):
    for o in c.get('outputs', []):
        if o.get('output_type') == 'stream' and o.get('name') == 'stderr' and 'tfjs backend' not in ''.join(o['text']):
            print(f"--- cell {i}: {''.join(c['source'])[:200]}\n{''.join(o['text'])[:3000]}")
PY
    failed+=("$nb")
  fi
done
echo "notebooks: ${#notebooks[@]} run, ${#failed[@]} failed, $((SECONDS - T0)) s in total" >&2
[ ${#failed[@]} -eq 0 ]
