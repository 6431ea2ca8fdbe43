#!/usr/bin/env python3
"""The program break as allocscope reports it (brk_bytes in the samples,
peak_brk_bytes in the row) against strace's record of the worker's brk
system calls, the independent witness.

For a real run under glibc (which moves the break) the worker's brk calls
give the breaks the kernel actually set. The samples say break - baseline
break; so there must be one baseline among the kernel's breaks from which
every sampled value is a break the kernel set, and the row's peak must be
the highest break the worker ever had minus that baseline. Workloads: the
textbook break (one move of 135168 bytes) and grow-churn-shrink (the break
grows and shrinks hundreds of times)."""
import csv
import os
import re
import shutil
import subprocess
import sys

exe, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
strace = shutil.which("strace")
if not strace:
    print("SKIP: strace is not installed (apt-get install strace; ./bootstrap.sh --tests does)")
    sys.exit(77)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr, flush=True)
    return cond


for name, extra in [("brk-textbook", []), ("grow-churn-shrink", ["--quick"])]:
    out, log = os.path.join(work, name), os.path.join(work, name + ".strace")
    p = subprocess.run([strace, "-f", "-qq", "-e", "trace=brk,execve", "-o", log, exe, "run", *extra,
                        "-a", "glibc", "-r", "1", "--no-plots", "-o", out,
                        os.path.join(src, "workloads", name + ".yaml")],
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0 and "ptrace" in p.stderr:
        print(f"SKIP: strace cannot trace here: {p.stderr.strip()[-200:]}")
        sys.exit(77)
    if not check(p.returncode == 0, f"{name}: run exits 0: {p.stderr[-400:]}"):
        continue
    lines = open(log).read().splitlines()
    workers = [ln.split()[0] for ln in lines if "execve(" in ln and "allocscope-worker" in ln
               and "= 0" in ln]
    if not check(len(workers) == 1, f"{name}: one worker in the trace ({workers})"):
        continue
    kernel = set()
    for ln in lines:
        m = re.match(rf"^{workers[0]}\s+brk\(.*\)\s+= (0x[0-9a-f]+)", ln)
        if m:
            kernel.add(int(m.group(1), 16))
    samples = list(csv.DictReader(open(os.path.join(out, "samples", name, "glibc-1.csv"))))
    sampled = {int(s["brk_bytes"]) for s in samples}
    row = next(csv.DictReader(open(os.path.join(out, "summary.csv"))))
    bases = [b for b in sorted(kernel) if all(b + s in kernel for s in sampled)]
    check(len(sampled) > 1, f"{name}: the break moved under glibc ({sorted(sampled)[:5]})")
    if not check(bases, f"{name}: every sampled break is one the kernel set "
                        f"(sampled {sorted(sampled)[:8]}, {len(kernel)} kernel breaks)"):
        continue
    base = bases[0]
    peak = int(row["peak_brk_bytes"])
    check(peak == max(kernel) - base,
          f"{name}: peak_brk_bytes {peak} = the highest break the worker had - baseline "
          f"({max(kernel) - base})")
    if name == "brk-textbook":
        check(peak == 135168, f"brk-textbook: glibc's first small malloc moves the break by "
                              f"135168 bytes (got {peak})")
    print(f"{name}: {len(kernel)} kernel breaks, {len(sampled)} sampled values, peak {peak}")
print(f"{len(failures)} failed checks" if failures else "all checks passed")
sys.exit(1 if failures else 0)
