#!/usr/bin/env bash
# One command for every benchmark (`make bench`); prints one table and writes it to
# bench/results/table.md. Takes a few minutes on 2 cores (plus the release builds, once).
#   1. Python venv bench/.venv (numpy, scipy, powerlaw; jax[cpu] when PyPI has it), if missing
#   2. native criterion benches   cargo bench --bench engine --bench stats --bench spectrum
#                                 (short measurement times; the spectrum bench runs
#                                 bench/anchors/spectrum_anchor.py itself, with 1 and 2 BLAS threads)
#   3. the browser bench          tests/bench_web.rs: wasm-bindgen-test in headless Chromium
#   4. TensorFlow.js              bench/tfjs/tfjs-bench.mjs: the same network work by tfjs (wasm and cpu backends)
#                                 in the same Chromium (≈ 2.5 min); its rows are compared with the Chromium column
#   5. the page's bootstrap       bench/bootstrap-web.mjs: a measurement's 1000-replicate Clauset bootstrap on 1
#                                 and 2 pool workers (≈ 1 min)
#      the anchors                bench/anchors/network_anchor.py (numpy, JAX), powerlaw_anchor.py
#   6. the paper tour             sgn-lab run --preset paper-tour natively, bench/tour-web.mjs in the page; then its
#                                 units on 1 and 2 threads natively and 1 and 2 workers in the page (the ratios)
#   7. the table                  task | native | Chromium | anchor | Chromium/native | anchor/native
#                                 (anchor/Chromium, marked "vs Chromium", for the tfjs rows)
#   8. the page's budget          bench/page-budget.mjs
# Environment: BENCH_SKIP_NATIVE=1, BENCH_SKIP_WEB=1, BENCH_SKIP_TFJS=1, BENCH_SKIP_ANCHORS=1, BENCH_SKIP_TOUR=1,
# BENCH_SKIP_SCALING=1 skip a stage (the table then reuses that stage's last results, if any, else shows "—");
# BENCH_MEASUREMENT_TIME (criterion seconds per bench, default 3). A bench that is missing or fails shows "—" and
# the run goes on.
# Logs land in bench/results/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results
mkdir -p "$out"
section() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
start=$(date +%s)
mt=${BENCH_MEASUREMENT_TIME:-3}
# Chromium's temporary profiles (40 MB each) go to a directory removed on exit, as in make test.
TMPDIR="$(pwd)/target/bench-tmp"
export TMPDIR
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT

section "python venv (bench/.venv)"
venv=bench/.venv
py="$PWD/$venv/bin/python"
if [ ! -x "$py" ] || ! "$py" -c 'import numpy, scipy, powerlaw' 2>/dev/null; then
  # Debian's python3 needs the python3-venv package for this; without it, fall back below.
  { python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check numpy scipy powerlaw; } \
    || echo "bench: could not build $venv (python3-venv missing? no PyPI?)"
fi
if [ -x "$py" ] && "$py" -c 'import numpy, scipy, powerlaw' 2>/dev/null; then
  if ! "$py" -c 'import jax' 2>/dev/null; then
    "$venv/bin/pip" install -q --disable-pip-version-check "jax[cpu]" \
      || echo "bench: jax[cpu] did not install; the JAX anchors are skipped (numpy rows remain)"
  fi
  # The spectrum bench calls `python3`: let it find the venv's.
  export PATH="$PWD/$venv/bin:$PATH"
elif python3 -c 'import numpy, scipy, powerlaw' 2>/dev/null; then
  echo "bench: using the system python3 for the anchors"
  py=$(command -v python3)
else
  echo "bench: no Python with numpy + scipy + powerlaw; the anchor columns will show —"
  py=""
fi
if [ -n "$py" ]; then
  "$py" -c 'import numpy, powerlaw; print("numpy", numpy.__version__, "powerlaw", powerlaw.__version__)' || true
  "$py" -c 'import jax; print("jax", jax.__version__)' 2>/dev/null || echo "jax: not installed (JAX rows skipped)"
fi

if [ "${BENCH_SKIP_NATIVE:-}" != 1 ]; then
  section "native: criterion (cargo bench, ${mt} s per bench where the bench does not set its own)"
  cargo bench --bench engine --bench stats --bench spectrum -- --warm-up-time 1 --measurement-time "$mt" \
    2>&1 | tee "$out/native.log" || echo "bench: a native bench failed; its rows show —"
fi

if [ "${BENCH_SKIP_WEB:-}" != 1 ]; then
  section "browser: tests/bench_web.rs in headless Chromium (release wasm, +simd128)"
  if ! command -v wasm-bindgen-test-runner >/dev/null || [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] \
     || ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    scripts/bootstrap.sh --test
  fi
  WASM_BINDGEN_TEST_TIMEOUT=900 cargo test --release --target wasm32-unknown-unknown --no-default-features \
    --test bench_web -- --nocapture 2>&1 | tee "$out/web.log" || echo "bench: the browser bench failed; its column shows —"
fi

if [ "${BENCH_SKIP_TFJS:-}" != 1 ]; then
  section "TensorFlow.js in the same Chromium (bench/tfjs/tfjs-bench.mjs)"
  # bootstrap.sh runs npm ci when the lock file is newer than node_modules (the tfjs packages are devDependencies).
  if [ ! -f node_modules/@tensorflow/tfjs/dist/tf.min.js ] || [ ! -x /usr/bin/chromium ]; then
    scripts/bootstrap.sh --test
  fi
  node bench/tfjs/tfjs-bench.mjs 2>&1 | tee "$out/tfjs.log" \
    || echo "bench: the TensorFlow.js bench failed (a check or the run); a backend whose checks failed has no rows"
fi

if [ "${BENCH_SKIP_WEB:-}" != 1 ]; then
  section "a measurement's Clauset bootstrap on 1 and 2 of the page's pool workers (bench/bootstrap-web.mjs)"
  [ -f dist/index.html ] || scripts/build-web.sh
  node bench/bootstrap-web.mjs 2>&1 | tee "$out/bootstrap-web.log" || echo "bench: the page's bootstrap failed"
fi

if [ "${BENCH_SKIP_ANCHORS:-}" != 1 ] && [ -n "$py" ]; then
  section "anchors: numpy / JAX network work (one core, 1 BLAS thread)"
  pin=()
  command -v taskset >/dev/null && pin=(taskset -c 0)
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "${pin[@]}" "$py" bench/anchors/network_anchor.py \
    2>&1 | tee "$out/network_anchor.log" || echo "bench: network anchor failed"
  section "anchors: powerlaw package + numpy paper rule"
  "$py" bench/anchors/powerlaw_anchor.py 2>&1 | tee "$out/powerlaw_anchor.log" || echo "bench: powerlaw anchor failed"
fi

if [ "${BENCH_SKIP_TOUR:-}" != 1 ]; then
  section "the paper tour: native CLI and the page (bench/tour-web.mjs), seed 0"
  cargo build --release --bin sgn-lab
  tour_dir=$(mktemp -d)
  target/release/sgn-lab run --preset paper-tour --seed 0 --out "$tour_dir" > "$out/tour-native.json" 2> "$out/tour-native.log" \
    || echo "bench: the native tour failed"
  rm -rf "$tour_dir"
  [ -f dist/index.html ] || scripts/build-web.sh
  node bench/tour-web.mjs 2>&1 | tee "$out/tour-web.log" || echo "bench: the tour in the page failed"
fi

if [ "${BENCH_SKIP_TOUR:-}" != 1 ] && [ "${BENCH_SKIP_SCALING:-}" != 1 ]; then
  # The units of a preset run on 1 and 2 threads natively and on 1 and 2 workers in the page, in one run so
  # the ratios share the machine's load (docs/BENCHMARKS.md, "Every core").
  section "scaling: the tour's units on 1 and 2 threads (native) and 1 and 2 workers (page), seed 0"
  for n in 1 2; do
    target/release/sgn-lab run --preset paper-tour --seed 0 --threads "$n" > "$out/tour-native-t$n.json" 2> "$out/tour-native-t$n.log" \
      || echo "bench: the native tour on $n thread(s) failed"
  done
  for n in 1 2; do
    WORKERS=$n node bench/tour-web.mjs 2>&1 | tee "$out/tour-web-w$n.log" || echo "bench: the tour on $n worker(s) failed"
  done
  python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def native(n):
    # Without --out the CLI prints the report itself; its wall time is the log's last "done in X s".
    try:
        done = [l for l in open(os.path.join(out, f"tour-native-t{n}.log")) if l.startswith("done in ")]
        return float(done[-1].split()[2]) if done else None
    except (OSError, ValueError, IndexError):
        return None
def page(n):
    try:
        for line in open(os.path.join(out, f"tour-web-w{n}.log")):
            if line.startswith("TOUR "):
                return json.loads(line[5:])
    except OSError:
        pass
    return None
def same_report(a, b):
    try:
        return open(os.path.join(out, a), "rb").read() == open(os.path.join(out, b), "rb").read()
    except OSError:
        return False
n1, n2, w1, w2 = native(1), native(2), page(1), page(2)
if n1 and n2:
    same = "identical" if same_report("tour-native-t1.json", "tour-native-t2.json") else "DIFFERENT"
    print(f"native tour: {n1:.1f} s on 1 thread, {n2:.1f} s on 2: {n1 / n2:.2f}x (reports {same})")
if w1 and w2:
    print(f"page tour: {w1['s']:.1f} s on 1 worker ({w1['units']} units), {w2['s']:.1f} s on 2 ({w2['units']} units): {w1['s'] / w2['s']:.2f}x")
PY
fi

section "table"
# A skipped native stage reuses criterion's last estimates; otherwise only this run's count.
since=$start
[ "${BENCH_SKIP_NATIVE:-}" = 1 ] && since=0
python3 - "$out" "$since" <<'PY'
import json, os, re, sys

out, start = sys.argv[1], float(sys.argv[2])
ROOT = os.getcwd()


def read(name):
    try:
        with open(os.path.join(out, name), encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def criterion_s(key):
    """Mean of criterion's estimate, seconds; None when missing or older than this run."""
    group, bench = key.split("/", 1)
    p = os.path.join(ROOT, "target", "criterion", group, bench.replace("/", "_"), "new", "estimates.json")
    try:
        if os.path.getmtime(p) < start:
            return None
        with open(p) as f:
            return json.load(f)["mean"]["point_estimate"] * 1e-9
    except (OSError, KeyError, ValueError):
        return None


# Browser: BENCH {"task":..., "ms":..., "reps":...}
web = {}
for line in read("web.log").splitlines():
    m = re.search(r"BENCH (\{.*\})", line)
    if m:
        try:
            d = json.loads(m.group(1))
            web[d["task"]] = (d["ms"] * 1e-3, d["reps"])
        except (ValueError, KeyError):
            pass

# The paper tour: the CLI's run summary (seconds) and bench/tour-web.mjs's TOUR line.
tour_native = None
try:
    tour_native = json.loads(read("tour-native.json"))["seconds"]
except (ValueError, KeyError, TypeError):
    pass
for line in read("tour-web.log").splitlines():
    if line.startswith("TOUR "):
        try:
            web["tour"] = (json.loads(line[len("TOUR "):])["s"], 1)
        except (ValueError, KeyError):
            pass

# A measurement's bootstrap on the page's pool: bench/bootstrap-web.mjs's BOOTSTRAP line (medians, ms).
for line in read("bootstrap-web.log").splitlines():
    if line.startswith("BOOTSTRAP "):
        try:
            d = json.loads(line[len("BOOTSTRAP "):])
            web["page_bootstrap/w1"] = (d["w1"] * 1e-3, len(d["runs"]["1"]))
            web["page_bootstrap/w2"] = (d["w2"] * 1e-3, len(d["runs"]["2"]))
        except (ValueError, KeyError):
            pass

anchors = {}  # task -> [(name, seconds)]


def add(task, name, s):
    anchors.setdefault(task, []).append((name, s))


for line in read("network_anchor.log").splitlines():
    if line.startswith("ANCHOR "):
        try:
            d = json.loads(line[len("ANCHOR "):])
            add(d["task"], d["anchor"] + " [1 core]", d["s"])
        except (ValueError, KeyError):
            pass

# TensorFlow.js in the same Chromium (bench/tfjs/tfjs-bench.mjs): ANCHOR lines named "tfjs-<backend> <form>
# [Chromium]", kept only for a backend whose TFJS line says every check passed.
tfjs_ok = set()
for line in read("tfjs.log").splitlines():
    if line.startswith("TFJS "):
        try:
            d = json.loads(line[len("TFJS "):])
            if d.get("ok") is True:
                tfjs_ok.add(d["backend"])
        except (ValueError, KeyError):
            pass
for line in read("tfjs.log").splitlines():
    if line.startswith("ANCHOR "):
        try:
            d = json.loads(line[len("ANCHOR "):])
            if d["anchor"].split(" ", 1)[0].removeprefix("tfjs-") in tfjs_ok:
                add(d["task"], d["anchor"], d["s"])
        except (ValueError, KeyError):
            pass

# The spectrum bench prints spectrum_anchor.py's output, once per BLAS thread count.
threads = None
for line in read("native.log").splitlines():
    m = re.match(r"numpy \(OPENBLAS_NUM_THREADS=(\w+)", line)
    if m:
        threads = m.group(1)
        continue
    m = re.match(r"(numpy_hadamard_total|numpy_dense_total) ([\d.eE+-]+)", line.strip())
    if m and threads:
        name = {"numpy_hadamard_total": "numpy Hadamard Gram + eigvalsh",
                "numpy_dense_total": "numpy dense G·Gᵀ + eigvalsh"}[m.group(1)]
        add("spectrum/spectrum_of_grads_fcn_n2000", f"{name} [{threads} BLAS thr]", float(m.group(2)))

# powerlaw_anchor.py's own table: "<name>  <python s>  <sgn-lab s | (run cargo bench ...)> ..."
for line in read("powerlaw_anchor.log").splitlines():
    m = re.match(r"(paper rule, n=1e5 \(numpy\)|paper rule, n=1e5 \(powerlaw\.Fit with fixed xmin\)|"
                 r"Clauset \+ 1000 bootstrap, n=(\d+) \(powerlaw: (\d+) fits timed, ([\d.]+) s/fit.*?\))\s+([\d.]+)", line)
    if not m:
        continue
    if m.group(1).startswith("paper rule"):
        name = "numpy sort + top-K MLE + KS" if "numpy" in m.group(1) else "powerlaw.Fit(xmin=K-th)"
        add("paper_rule/n=1e5", name, float(m.group(5)))
    else:
        add(f"clauset_bootstrap_1000/{m.group(2)}",
            f"powerlaw 1001 Fits ({m.group(4)} s/fit, ×1001 from {m.group(3)})", float(m.group(5)))

TASKS = [
    ("engine/sgd_step_fcn784-100-100-10_b128", "SGD step, FCN 784-100-100-10, B=128, MNIST"),
    ("engine/per_sample_grads_n1000_f32", "per-sample grads N=1000 (f32)"),
    ("engine/per_sample_grads_n1000_f64", "per-sample grads N=1000 (f64)"),
    ("engine/full_batch_grad_n8000_f32", "full-batch grad, 8000 samples (f32)"),
    ("spectrum/spectrum_of_grads_fcn_n1000", "spectrum of C₁, N=1000, P=89,610"),
    ("spectrum/gram_fcn_n1000", "  of which Gram (Hadamard trick)"),
    ("spectrum/spectrum_of_grads_faer_fcn_n1000", "  the same by faer (before the fixed order)"),
    ("spectrum/gram_faer_fcn_n1000", "    of which Gram (faer)"),
    ("spectrum/spectrum_of_grads_fcn_n2000", "spectrum of C₁, N=2000, P=89,610"),
    ("spectrum/gram_fcn_n2000", "  of which Gram (Hadamard trick)"),
    ("spectrum/spectrum_of_grads_faer_fcn_n2000", "  the same by faer (before the fixed order)"),
    ("spectrum/gram_faer_fcn_n2000", "    of which Gram (faer)"),
    ("paper_rule/n=1e5", "paper rule (top-1000 fit + KS), n=1e5"),
    ("paper_rule_full/n=1e5", "power_law_test (paper rule + Vuong), n=1e5"),
    ("clauset_bootstrap_1000/2000", "Clauset + 1000 bootstrap, n=2000"),
    ("clauset_bootstrap_1000/10000", "Clauset + 1000 bootstrap, n=1e4"),
    ("clauset_bootstrap_1000_threads2/2000", "  n=2000, its replicates on 2 native threads"),
    ("clauset_bootstrap_1000_threads2/10000", "  n=1e4, its replicates on 2 native threads"),
    ("page_bootstrap/w1", "a measurement's Clauset bootstrap (page, n=1000, R=1000), 1 pool worker"),
    ("page_bootstrap/w2", "  the same on 2 pool workers"),
    ("tour", "paper tour (9 presets, default size, seed 0)"),
]


def t(s):
    if s is None:
        return "—"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def r(a, b):
    if a is None or b is None or b == 0:
        return "—"
    q = a / b
    return f"{q:.0f}×" if q >= 10 else f"{q:.2g}×"


def r_anchor(name, asec, nat, w):
    """anchor/native; an anchor timed in Chromium (name ends "[Chromium]") against sgn-lab's Chromium time."""
    if name.endswith("[Chromium]"):
        q = r(asec, w)
        return q if q == "—" else q + " vs Chromium"
    return r(asec, nat)


rows = []
for key, label in TASKS:
    nat = tour_native if key == "tour" else criterion_s(key)
    w = web.get(key, (None, 0))[0]
    an = anchors.get(key) or [("—", None)]
    for i, (aname, asec) in enumerate(an):
        first = i == 0
        rows.append([label if first else "", t(nat) if first else "", t(w) if first else "",
                     aname, t(asec), r(w, nat) if first else "", r_anchor(aname, asec, nat, w)])
head = ["task", "sgn-lab native", "sgn-lab Chromium", "anchor", "anchor time", "Chromium/native", "anchor/native"]
width = [max(len(h), *(len(x[i]) for x in rows)) for i, h in enumerate(head)]
lines = ["| " + " | ".join(h.ljust(width[i]) for i, h in enumerate(head)) + " |",
         "|" + "|".join("-" * (w + 2) for w in width) + "|"]
lines += ["| " + " | ".join(c.ljust(width[i]) for i, c in enumerate(x)) + " |" for x in rows]
table = "\n".join(lines)
print(table)
missing = [k for k, _ in TASKS if k != "tour" and not k.startswith("page_") and criterion_s(k) is None]
if missing:
    print("\nno criterion estimate from this run for: " + ", ".join(missing))
with open(os.path.join(out, "table.md"), "w") as f:
    f.write(table + "\n")
PY
section "the page's budget: gzip size, cold first render, main-thread tasks (bench/page-budget.mjs)"
[ -f dist/index.html ] || scripts/build-web.sh
node bench/page-budget.mjs | tee "$out/page-budget.log" | grep -v '^BUDGET'

printf '\nbench: done in %ss; table in %s/table.md, logs in %s/\n' "$(( $(date +%s) - start ))" "$out" "$out"
