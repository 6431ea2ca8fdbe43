#!/usr/bin/env python3
"""Signals to allocscope itself: SIGKILL, SIGHUP and SIGTERM while a
worker is measuring. Nothing may outlive allocscope (the worker dies with
it even on SIGKILL), rows finished before stay whole, and on SIGHUP/SIGTERM
the run in flight is recorded as `interrupted` (its samples kept), run.json
says interrupted and the exit status is 128 + the signal (129, 143)."""
import os
import shutil
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults import (Failures, gone_soon, leftovers, load_json, start, stop,  # noqa: E402
                    wait_for, whole_rows, worker_of, write)

exe, work = sys.argv[1:3]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
t = Failures()

fast = write(os.path.join(work, "fast.yaml"), """workload:
  name: fast
  ops: 2000
  sizes: 64
  live: {objects: 100}
""")
# Slow per op (each op writes 4 MiB), little memory: minutes to finish.
slow = write(os.path.join(work, "slow.yaml"), """workload:
  name: slow
  ops: 200000
  sizes: 4MiB
  live: {objects: 4}
  touch: all
""")


def resident_bytes(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def measuring(sig):
    out = os.path.join(work, sig.name)
    proc = start([exe, "run", "-a", "glibc", "-r", "1", "--timeout", "300", "--no-plots", "-o", out,
                  fast, slow])
    summary = os.path.join(out, "summary.csv")

    def ready():
        if not os.path.exists(summary) or len(open(summary).read().splitlines()) < 2:
            return None
        return worker_of(proc)
    worker = wait_for(ready, 120)
    return proc, out, worker


for sig, code in [(signal.SIGKILL, None), (signal.SIGHUP, 129), (signal.SIGTERM, 143)]:
    proc, out, worker = measuring(sig)
    if not t.check(worker, f"{sig.name}: a worker was measuring the slow workload"):
        stop(proc)
        continue
    wait_for(lambda: os.path.exists(os.path.join(out, "samples", "slow")), 10)
    # Measuring for sure: its 4 MiB objects are resident (the worker takes
    # its baseline only after set-up, which a busy machine stretches).
    wait_for(lambda: resident_bytes(worker) > (10 << 20), 30)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    name = sig.name
    t.check(gone_soon(worker), f"{name}: the worker does not outlive allocscope")
    if code is not None:
        t.check(proc.returncode == code, f"{name}: exit {code} (got {proc.returncode})")
    try:
        rows = whole_rows(os.path.join(out, "summary.csv"))
    except AssertionError as e:
        t.check(False, f"{name}: {e}")
        continue
    t.check(rows and rows[0]["workload"] == "fast" and rows[0]["status"] == "ok",
            f"{name}: the finished row is kept")
    meta = load_json(os.path.join(out, "run.json"))
    if sig == signal.SIGKILL:
        t.check(meta["status"] == "running", "SIGKILL: run.json still valid, says running")
        continue
    slow_rows = [r for r in rows if r["workload"] == "slow"]
    t.check(len(slow_rows) == 1 and slow_rows[0]["status"] == "interrupted"
            and f"SIG{name[3:]}" in slow_rows[0]["reason"],
            f"{name}: the run in flight is recorded as interrupted: {slow_rows}")
    t.check(meta["status"] == "interrupted", f"{name}: run.json says interrupted")
    samples = os.path.join(out, "samples", "slow", "glibc-1.csv")
    t.check(os.path.isfile(samples) and len(open(samples).read().splitlines()) >= 2,
            f"{name}: the interrupted run's samples are kept")
    t.check(leftovers(out) == [], f"{name}: no temporary files left: {leftovers(out)}")

# Two signals in a row: the second ends allocscope at once; still nothing
# is left running and the rows are whole.
proc, out, worker = measuring(signal.SIGINT)
if t.check(worker, "double signal: a worker was measuring"):
    proc.send_signal(signal.SIGTERM)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    t.check(proc.returncode == 143, f"double SIGTERM exits 143 (got {proc.returncode})")
    t.check(gone_soon(worker), "double signal: the worker is gone")
    try:
        whole_rows(os.path.join(out, "summary.csv"))
    except AssertionError as e:
        t.check(False, f"double signal: {e}")
else:
    stop(proc)
t.exit()
