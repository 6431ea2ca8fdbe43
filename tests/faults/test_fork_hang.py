#!/usr/bin/env python3
"""A worker that forks: a process started by the measured child must not
outlive its run, whether the worker finishes normally (the child sleeps
forever) or hangs itself until the timeout. The fault shim forks and
writes the child's pid to a file; the test checks that pid is gone."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults import Failures, alive, gone_soon, registry, whole_rows, write  # noqa: E402

exe, shim, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
t = Failures()
reg = registry(os.path.join(work, "registry.yaml"), shim)
wl = write(os.path.join(work, "w.yaml"), """workload:
  name: forky
  ops: 20000
  sizes: 64
  live: {objects: 1000}
""")


def run_mode(mode, *extra):
    out = os.path.join(work, mode)
    pidfile = os.path.join(work, mode + ".pids")
    env = dict(os.environ, ALLOCSCOPE_FAULT=mode, ALLOCSCOPE_FAULT_AFTER="500",
               ALLOCSCOPE_FAULT_PIDFILE=pidfile)
    p = subprocess.run([exe, "run", "--registry", reg, "-a", "faulty", "-r", "1", "--no-plots",
                        "-o", out, *extra, wl], capture_output=True, text=True, env=env, timeout=120)
    print(p.stderr[-1500:])
    pids = [int(x) for x in open(pidfile).read().split()] if os.path.exists(pidfile) else []
    return p, out, pids


p, out, pids = run_mode("fork-hang")
t.check(p.returncode == 0, f"a worker that forked still finishes its run (exit {p.returncode})")
t.check(len(pids) == 1, f"the shim forked one sleeper: {pids}")
t.check(all(gone_soon(pid) for pid in pids), "the sleeper does not outlive the run")
rows = whole_rows(os.path.join(out, "summary.csv"))
t.check(rows and rows[0]["status"] == "ok", f"the run is ok: {rows[:1]}")

p, out, pids = run_mode("fork-hang-self", "--timeout", "3")
t.check(p.returncode == 3, f"a hung worker times out: exit 3 (got {p.returncode})")
t.check(len(pids) == 1, f"the shim forked one sleeper: {pids}")
t.check(all(gone_soon(pid) for pid in pids), "the sleeper is killed with the worker's group")
rows = whole_rows(os.path.join(out, "summary.csv"))
t.check(rows and rows[0]["status"] == "timeout", f"the run is recorded as timeout: {rows[:1]}")
for pid in pids:
    if alive(pid):  # never leave one behind, even when the test fails
        os.kill(pid, 9)
t.exit()
