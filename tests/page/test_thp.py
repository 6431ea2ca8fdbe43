#!/usr/bin/env python3
"""thp: never really disables transparent huge pages for the worker.

The reference allocator marks its heap MADV_HUGEPAGE, so in the system's
`always` or `madvise` mode a 64 MiB heap of large touched objects gets huge
pages; the same workload with `thp: never` must get none: AnonHugePages 0
at every phase end and in every periodic sample that read it (the samples
file's anon_huge_bytes, read from smaps_rollup), and the kernel reports
PR_GET_THP_DISABLE = 1. Skipped (exit 77) only where the system's mode is
`never`: there is nothing to disable."""
import csv
import glob
import os
import shutil
import subprocess
import sys

exe, work = sys.argv[1:3]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
try:
    mode_line = open("/sys/kernel/mm/transparent_hugepage/enabled").read()
except OSError:
    mode_line = "[never]"
mode = mode_line[mode_line.index("[") + 1:mode_line.index("]")]
if mode == "never":
    print("SKIP: the system's THP mode is 'never': no run gets huge pages, nothing to disable")
    sys.exit(77)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr, flush=True)


BODY = """
  seed: 4
  sample_every: 200
  sizes: {dist: uniform, min: 64KiB, max: 512KiB}
  touch: all
  phases:
    - name: grow
      ops: 600
      live: {bytes: 64MiB}
      mix: {malloc: 1}
    - name: churn
      ops: 1500
      live: {bytes: 64MiB}
"""
path = os.path.join(work, "thp.yaml")
with open(path, "w") as f:
    f.write("suite:\n  name: thp\n  workloads:\n"
            "    - workload:\n        name: thp-default\n" + BODY.replace("\n  ", "\n        ") +
            "    - workload:\n        name: thp-never\n        thp: never" + BODY.replace("\n  ", "\n        "))
out = os.path.join(work, "run")
p = subprocess.run([exe, "run", "-r", "1", "-a", "reference", "--no-plots", "-o", out, path],
                   capture_output=True, text=True, timeout=600)
check(p.returncode == 0, f"run exits 0: {p.stderr[-800:]}")
rows = {r["workload"]: r for r in csv.DictReader(open(os.path.join(out, "summary.csv")))}
for name in ("thp-default", "thp-never"):
    check(rows.get(name, {}).get("status") == "ok", f"{name}: {rows.get(name)}")


def series(name):
    files = glob.glob(os.path.join(out, "samples", name, "reference-1.csv"))
    check(len(files) == 1, f"{name}: one samples file")
    values = [int(s["anon_huge_bytes"]) for s in csv.DictReader(open(files[0])) if s["anon_huge_bytes"] != ""]
    return values


if not failures:
    d, n = rows["thp-default"], rows["thp-never"]
    check(d["thp"] == "default" and d["thp_disabled"] == "0", f"default: thp {d['thp']} disabled {d['thp_disabled']}")
    check(n["thp"] == "never" and n["thp_disabled"] == "1", f"never: thp {n['thp']} disabled {n['thp_disabled']}")
    dv, nv = series("thp-default"), series("thp-never")
    check(int(d["peak_anon_huge_bytes"]) > 0 and max(dv, default=0) > 0,
          f"in mode '{mode}' the workload gets huge pages without thp: never "
          f"(peak {d['peak_anon_huge_bytes']}, series {dv[:8]})")
    check(int(d["peak_anon_huge_bytes"]) == max(dv, default=0), "peak = the series' maximum")
    check(len(nv) >= 3, f"never: AnonHugePages read at the phase ends and in samples ({len(nv)})")
    check(all(v == 0 for v in nv) and n["peak_anon_huge_bytes"] == "0" and n["smaps_anon_huge_bytes"] == "0",
          f"never: AnonHugePages stays 0 ({nv[:8]}, peak {n['peak_anon_huge_bytes']})")
if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
print(f"thp never: ok (system mode {mode})")
