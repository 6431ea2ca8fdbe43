#!/usr/bin/env python3
"""The registry's huge-page variants: each variant's environment reaches its
allocator in the worker, seen by the kernel: a 64 MiB heap of large objects
gets huge pages (AnonHugePages, smaps_rollup) under glibc-hugetlb,
jemalloc-thp (MALLOC_CONF thp:always), mimalloc-large and reference, and in
the system's `madvise` mode none under glibc, jemalloc, mimalloc and
reference-nohuge, which do not ask for them. run.json records each
variant's environment; jemalloc-thp's own mallctl("opt.thp") reads
"always". Skipped (77) where the system's THP mode is
`never`: no setting of an allocator can get huge pages there."""
import csv
import json
import os
import shutil
import subprocess
import sys

exe, work = sys.argv[1:3]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
try:
    line = open("/sys/kernel/mm/transparent_hugepage/enabled").read()
    mode = line[line.index("[") + 1:line.index("]")]
except (OSError, ValueError):
    mode = "never"
if mode == "never":
    print("SKIP: the system's THP mode is 'never'")
    sys.exit(77)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr, flush=True)


PAIRS = {"glibc": "glibc-hugetlb", "jemalloc": "jemalloc-thp", "mimalloc": "mimalloc-large",
         "reference-nohuge": "reference"}
path = os.path.join(work, "huge.yaml")
with open(path, "w") as f:
    f.write("""workload:
  name: huge
  seed: 4
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
""")
out = os.path.join(work, "run")
names = ",".join(list(PAIRS) + list(PAIRS.values()))
p = subprocess.run([exe, "run", "-r", "1", "-a", names, "--no-plots", "-o", out, path],
                   capture_output=True, text=True, timeout=600)
check(p.returncode == 0, f"run exits 0: {p.stderr[-800:]}")
rows = {r["allocator"]: r for r in csv.DictReader(open(os.path.join(out, "summary.csv")))}
for base, variant in PAIRS.items():
    for a in (base, variant):
        check(rows.get(a, {}).get("status") == "ok", f"{a}: {rows.get(a)}")
    if failures:
        continue
    check(int(rows[variant]["peak_anon_huge_bytes"]) >= 2 << 20,
          f"{variant}: {rows[variant]['peak_anon_huge_bytes']} bytes of huge pages")
    if mode == "madvise":
        check(rows[base]["peak_anon_huge_bytes"] == "0",
              f"{base}: {rows[base]['peak_anon_huge_bytes']} bytes of huge pages in madvise mode")
# The allocator's own word, beside the kernel's: jemalloc's mallctl
# ("opt.thp") reads "always" under the variant only.
def stat(row, key):
    for kv in row.get("allocator_stats", "").split(";"):
        k, _, v = kv.strip().partition("=")
        if k == key:
            return v
    return None


if not failures:
    check(stat(rows["jemalloc-thp"], "jemalloc.opt.thp_always") == "1",
          f"jemalloc-thp: mallctl opt.thp is always: {rows['jemalloc-thp']['allocator_stats']}")
    check(stat(rows["jemalloc"], "jemalloc.opt.thp_always") == "0",
          f"jemalloc: mallctl opt.thp is not always: {rows['jemalloc']['allocator_stats']}")
meta = json.load(open(os.path.join(out, "run.json")))
envs = {a["name"]: a.get("env", {}) for a in meta["allocators"]}
check(envs.get("jemalloc-thp", {}).get("MALLOC_CONF") == "thp:always,metadata_thp:auto",
      f"run.json: jemalloc-thp env {envs.get('jemalloc-thp')}")
check(envs.get("glibc-hugetlb", {}).get("GLIBC_TUNABLES") == "glibc.malloc.hugetlb=1",
      f"run.json: glibc-hugetlb env {envs.get('glibc-hugetlb')}")
if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
print(f"huge-page variants: ok (system mode {mode})")
