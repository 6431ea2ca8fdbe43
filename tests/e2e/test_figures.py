#!/usr/bin/env python3
"""Every figure of a summary row against a witness outside the code that
computed it, on a real run:

 - ops = the op count of the workload's stream (run.json);
 - ops_per_s = ops / wall_s, and wall_s is a time in seconds: no longer than
   the whole `allocscope run` took (measured here), no shorter than the
   last sample's t_ns since the baseline (the samples file), to within the
   sampler's own step;
 - frag_mean_ratio = the mean of heap / live over the samples with live > 0,
   recomputed from the samples file's heap_bytes and live_bytes;
 - frag_peak_ratio = peak heap / peak live from the row's own columns, and
   peak heap / peak live / peak brk are the maxima of the samples;
 - a run the allocator crashed is never a row with figures (tests/faults)."""
import csv
import json
import os
import shutil
import subprocess
import sys
import time

exe, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr, flush=True)


def close(a, b, rel, absolute=0.0):
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), absolute)


out = os.path.join(work, "run")
w = os.path.join(src, "workloads")
t0 = time.monotonic()
p = subprocess.run([exe, "run", "--quick", "-r", "2", "-a", "glibc,jemalloc", "--no-plots", "-o", out,
                    os.path.join(w, "churn-small.yaml"), os.path.join(w, "grow-churn-shrink.yaml"),
                    os.path.join(w, "larson-server.yaml")],
                   capture_output=True, text=True, timeout=600)
elapsed = time.monotonic() - t0
check(p.returncode == 0, f"run exits 0: {p.stderr[-500:]}")
meta = json.load(open(os.path.join(out, "run.json")))
stream_ops = {wl["name"]: wl["ops"] for wl in meta["workloads"]}
rows = list(csv.DictReader(open(os.path.join(out, "summary.csv"))))
check(len(rows) == 12, f"12 rows ({len(rows)})")
for r in rows:
    name = f"{r['workload']} x {r['allocator']} rep {r['rep']}"
    if not (r["status"] == "ok"):
        check(False, f"{name}: {r['status']} {r['reason']}")
        continue
    ops, wall, tput = int(r["ops"]), float(r["wall_s"]), float(r["ops_per_s"])
    check(ops == stream_ops[r["workload"]], f"{name}: ops {ops} = the stream's {stream_ops[r['workload']]}")
    check(close(tput, ops / wall, 1e-3, 0.1), f"{name}: ops_per_s {tput} = ops / wall_s = {ops / wall:.1f}")
    check(0 < wall <= elapsed, f"{name}: wall_s {wall} within the command's {elapsed:.2f} s")
    samples = list(csv.DictReader(open(os.path.join(out, "samples", r["workload"],
                                                    f"{r['allocator']}-{r['rep']}.csv"))))
    t_last = max(int(s["t_ns"]) for s in samples) / 1e9
    # The last sample is taken right after the last op (phase end), so the
    # measured window and the samples' clock agree to a sampler's step.
    check(close(wall, t_last, 0.25, 0.002), f"{name}: wall_s {wall} vs last sample at {t_last:.6f} s")
    live = [(int(s["heap_bytes"]), int(s["live_bytes"])) for s in samples if int(s["live_bytes"]) > 0]
    mean = sum(h / l for h, l in live) / len(live)
    check(close(float(r["frag_mean_ratio"]), mean, 1e-3, 1e-4),
          f"{name}: frag_mean_ratio {r['frag_mean_ratio']} = mean of heap/live over {len(live)} samples = {mean:.4f}")
    heap, plive = int(r["peak_heap_bytes"]), int(r["peak_live_bytes"])
    check(close(float(r["frag_peak_ratio"]), heap / plive, 1e-3, 1e-4),
          f"{name}: frag_peak_ratio = peak heap / peak live")
    check(heap == max(int(s["heap_bytes"]) for s in samples), f"{name}: peak heap = the samples' maximum")
    check(int(r["peak_brk_bytes"]) == max(int(s["brk_bytes"]) for s in samples),
          f"{name}: peak brk = the samples' maximum")
    check(plive >= max(l for _, l in live), f"{name}: peak live covers every sample")
print(f"{len(failures)} failed checks" if failures else "all checks passed")
sys.exit(1 if failures else 0)
