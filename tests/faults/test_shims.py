#!/usr/bin/env python3
"""Allocators that fail: one that crashes (SIGSEGV) mid-run, one whose
malloc returns NULL, and a real allocator under a memory limit. Each run
gets the status that says what happened (crashed / failed / oom, never ok),
a reason, and keeps the samples measured before it ended; the suite goes
on and exits 3."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults import Failures, registry, whole_rows, write  # noqa: E402

exe, shim, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
t = Failures()
reg = registry(os.path.join(work, "registry.yaml"), shim)
wl = write(os.path.join(work, "w.yaml"), """workload:
  name: shimmed
  ops: 200000
  sizes: {dist: uniform, min: 16, max: 512}
  live: {objects: 5000}
  sample_every: 1000
""")


def run(mode, *args, after="20000"):
    out = os.path.join(work, mode)
    env = dict(os.environ, ALLOCSCOPE_FAULT=mode, ALLOCSCOPE_FAULT_AFTER=after)
    p = subprocess.run([exe, "run", "--registry", reg, "-r", "1", "--no-plots", "-o", out, *args],
                       capture_output=True, text=True, env=env, timeout=300)
    print(p.stderr[-1500:])
    return p, out


for mode, status, words in [("crash", "crashed", "SIGSEGV"), ("null", "failed", "returned NULL")]:
    p, out = run(mode, "-a", "faulty,glibc", wl)
    t.check(p.returncode == 3, f"{mode}: exit 3 (got {p.returncode})")
    rows = {r["allocator"]: r for r in whole_rows(os.path.join(out, "summary.csv"))}
    row = rows.get("faulty", {})
    t.check(row.get("status") == status and words in row.get("reason", ""),
            f"{mode}: status {status} with '{words}' in the reason: {row.get('status')} {row.get('reason')}")
    t.check(row.get("ops_per_s") == "" and row.get("peak_heap_bytes") == "",
            f"{mode}: no figures are claimed for a run that did not finish")
    t.check(rows.get("glibc", {}).get("status") == "ok", f"{mode}: the next allocator still runs")
    samples = os.path.join(out, "samples", "shimmed", "faulty-1.csv")
    n = len(open(samples).read().splitlines()) - 1 if os.path.exists(samples) else 0
    t.check(n >= 2, f"{mode}: the samples measured before the failure are kept ({n})")

# `list` with a probe that crashes at once: unavailable, and says how it ended.
env = dict(os.environ, ALLOCSCOPE_FAULT="crash", ALLOCSCOPE_FAULT_AFTER="0")
p = subprocess.run([exe, "list", "--registry", reg], capture_output=True, text=True, env=env, timeout=120)
line = next((ln for ln in p.stdout.splitlines() if ln.strip().startswith("faulty")), "")
t.check(p.returncode == 0 and "unavailable" in line and "SIGSEGV" in line,
        f"list: a crashing probe is unavailable, killed by SIGSEGV: {line!r}")

# A real allocator under a memory limit: 256 MiB live, 64 MiB allowed.
big = write(os.path.join(work, "big.yaml"), """workload:
  name: big
  ops: 4000
  sizes: 1MiB
  live: {bytes: 256MiB}
  touch: pages
  memory_limit: 64MiB
""")
for allocator in ["glibc", "jemalloc"]:
    out = os.path.join(work, "oom-" + allocator)
    p = subprocess.run([exe, "run", "-a", allocator, "-r", "1", "--no-plots", "-o", out, big],
                       capture_output=True, text=True, timeout=300)
    print(p.stderr[-800:])
    t.check("more than its memory limit of 64 MiB" in p.stderr,
            f"{allocator}: a warning before the run: the live target exceeds the limit")
    t.check(p.returncode == 3, f"{allocator}: exit 3 (got {p.returncode})")
    rows = whole_rows(os.path.join(out, "summary.csv"))
    t.check(rows and rows[0]["status"] == "oom" and "memory limit of 64 MiB" in rows[0]["reason"],
            f"{allocator}: status oom: {rows[:1]}")
# The command line overrides the file's limit: enough room, the run is ok.
out = os.path.join(work, "roomy")
p = subprocess.run([exe, "run", "-a", "glibc", "-r", "1", "--no-plots", "--memory-limit", "2GiB",
                    "-o", out, big], capture_output=True, text=True, timeout=300)
rows = whole_rows(os.path.join(out, "summary.csv"))
t.check(p.returncode == 0 and rows[0]["status"] == "ok", f"--memory-limit 2GiB: ok ({p.returncode})")

# More live bytes than the machine has: said before anything runs.
huge = write(os.path.join(work, "huge.yaml"), """workload:
  name: huge
  ops: 10
  sizes: 1GiB
  live: {bytes: 1TiB}
  memory_limit: 64MiB
""")
out = os.path.join(work, "huge")
p = subprocess.run([exe, "run", "-a", "glibc", "-r", "1", "--no-plots", "-o", out, huge],
                   capture_output=True, text=True, timeout=300)
t.check("more than this machine's" in p.stderr, f"a live target above physical memory is warned about: {p.stderr[-300:]}")
t.exit()
