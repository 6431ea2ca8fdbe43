#!/usr/bin/env python3
"""A multi-threaded program with a known sequence of allocation calls
(known_program.c), recorded: trace info gives exactly the known counts
(its own calls are told apart from libc's by recording the same program
without them), an independent reader (docs/trace-format.md's Python)
agrees with trace info, and replays under glibc, jemalloc, mimalloc and the
reference allocator end with the recording's peak live bytes, no deadlock.
A program killed mid-run leaves a trace that replays up to its last
complete event and says it was cut."""
import os
import signal
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trace_common import (check, compare_with_python, check_replay_rows, finish, info,
                          record, replay)

exe, prog, doc, work = sys.argv[1:5]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
ALLOCATORS = ["glibc", "jemalloc", "mimalloc", "reference"]

# The calls of `full` that `skeleton` leaves out (known_program.c).
KNOWN = {"malloc": 1 + 1 + 1000 + 500 + 1 + 1, "calloc": 1, "realloc": 4 + 50,
         "reallocarray": 1, "posix_memalign": 1, "aligned_alloc": 1, "memalign": 1,
         "valloc": 1, "pvalloc": 1, "free": 10 + 1000 + 500 + 1}
KNOWN_CROSS_THREAD_FREES = 1000 + 500
PAGE = os.sysconf("SC_PAGE_SIZE")
# Live when the last object (777 bytes) is allocated, right after the 32 MiB
# block: pvalloc(5000) counts as a page-rounded block.
KNOWN_PEAK = (100 + 200 + 8 + 200 + 8192 + 300 + 1000 + (5000 + PAGE - 1) // PAGE * PAGE + 300
              + (32 << 20) + 777)

facts = {}
for mode in ["full", "skeleton"]:
    for end in ["exit", "exec", "_exit"]:
        trace = os.path.join(work, f"{mode}-{end}.trace.zst")
        p = record(exe, trace, prog, mode, end)
        check(p.returncode == 0, f"record {mode} {end}: exit {p.returncode}: {p.stderr}")
        facts[mode, end] = f = info(exe, trace)
        if f:
            check(f["end"] == end, f"{mode} {end}: the trace says it ended by {f['end']}")
            compare_with_python(doc, trace, f, work, f"{mode} {end}")

for end in ["exit", "exec", "_exit"]:
    full, skel = facts["full", end], facts["skeleton", end]
    if not full or not skel:
        continue
    label = f"end {end}"
    diff = {k: full["calls"][k] - skel["calls"][k] for k in full["calls"]}
    diff = {k: v for k, v in diff.items() if v}
    check(diff == KNOWN, f"{label}: recorded calls minus libc's: {diff}, known {KNOWN}")
    check(full["usable_size_calls"] - skel["usable_size_calls"] == 1, f"{label}: usable_size")
    check(full["free_null"] - skel["free_null"] == 1, f"{label}: free(NULL)")
    check(full["cross_thread_frees"] - skel["cross_thread_frees"] == KNOWN_CROSS_THREAD_FREES,
          f"{label}: cross-thread frees {full['cross_thread_frees']}")
    check(full["forks"] == 1 and skel["forks"] == 1, f"{label}: one fork, child not recorded")
    check(full["threads"] == 4, f"{label}: 4 threads made calls, trace says {full['threads']}")
    check(1 <= full["lanes"] <= 4, f"{label}: lanes {full['lanes']}")
    # The peak is the program's own plus what libc held then (at most all
    # that libc ever held at once without the program's calls).
    check(KNOWN_PEAK <= full["peak_live_bytes"] <= KNOWN_PEAK + skel["peak_live_bytes"],
          f"{label}: peak live {full['peak_live_bytes']}, known {KNOWN_PEAK} + libc's "
          f"{skel['peak_live_bytes']}")
    check(full["implicit_frees"] == 0 and full["unmatched_frees"] == 0,
          f"{label}: every free matched its allocation")
    check(full["late_events"] == 0, f"{label}: {full['late_events']} late events")

# Replays: every allocator, the recording's peak, no deadlock (timeout 120 s).
trace = os.path.join(work, "full-exit.trace.zst")
rows, _ = replay(exe, work, "known-exit", trace, ALLOCATORS)
check_replay_rows(rows, facts["full", "exit"], ALLOCATORS, "replay full exit", end="exit")
rows, _ = replay(exe, work, "known-exec", os.path.join(work, "full-exec.trace.zst"), ["glibc"])
check_replay_rows(rows, facts["full", "exec"], ["glibc"], "replay full exec", end="exec")

# trace fit: a workload `check` accepts and `run` runs, with the trace's
# sizes, threads and cross-thread share, and nothing of the recording's
# identity (program path, arguments, host).
fitted = os.path.join(work, "fitted.yaml")
p = subprocess.run([exe, "trace", "fit", trace, "-o", fitted, "--name", "known-fit"],
                   capture_output=True, text=True)
check(p.returncode == 0, f"trace fit: {p.stderr}")
if p.returncode == 0:
    text = open(fitted).read()
    f = facts["full", "exit"]
    check(subprocess.run([exe, "check", fitted], capture_output=True).returncode == 0,
          "check accepts the fitted workload")
    check("- {size: 48, weight: " in text and "- {size: 256, weight: " in text,
          "the fit's size table has the program's sizes")
    weight48 = int(text.split("- {size: 48, weight: ")[1].split("}")[0])
    check(1000 <= weight48 <= 1000 + facts["skeleton", "exit"]["events"],
          f"48-byte allocations: weight {weight48}, 1000 made by the program")
    check(f"  threads: {f['lanes']}\n" in text, "the fit runs as many threads as were alive at once")
    check(f"  ops: {f['events']}\n" in text, "the fit has the trace's event count")
    check("  cross_thread_free: 0.99" in text, "the fit's cross-thread share")
    secrets = [prog, os.path.basename(prog)]
    if len(os.uname().nodename) >= 4:
        secrets.append(os.uname().nodename)
    for secret in secrets:
        check(secret not in text, f"the fit does not give away {secret!r}")
    p = subprocess.run([exe, "run", fitted, "-a", "glibc", "-r", "1", "--no-plots", "-o",
                        os.path.join(work, "run-fit")], capture_output=True, text=True)
    check(p.returncode == 0, f"the fitted workload runs: {p.stderr[-500:]}")

# Killed mid-run: cut short, replayable up to the last complete event.
trace = os.path.join(work, "killed.trace.zst")
rec = subprocess.Popen([exe, "record", "-o", trace, "--", prog, "full", "hang"],
                       stderr=subprocess.PIPE, text=True)
pid = None
for line in rec.stderr:
    if line.startswith("hanging "):
        pid = int(line.split()[1])
        break
check(pid is not None, "the hanging program said its pid")
if pid:
    time.sleep(0.3)  # a few writer cycles: every call made is drained
    os.kill(pid, signal.SIGKILL)
rest = rec.stderr.read()
rc = rec.wait(timeout=60)
check(rc == 128 + signal.SIGKILL, f"record returns the program's fate: {rc}")
check("ended: cut" in rest, f"record says the trace was cut: {rest!r}")
killed = info(exe, trace)
if killed:
    check(killed["end"] == "cut", f"killed: end {killed['end']}")
    check(killed["events"] > 0 and killed["calls"]["malloc"] >= KNOWN["malloc"],
          f"killed: events {killed['events']}")
    compare_with_python(doc, trace, killed, work, "killed")
    rows, _ = replay(exe, work, "known-killed", trace, ["glibc", "jemalloc"])
    check_replay_rows(rows, killed, ["glibc", "jemalloc"], "replay killed", end="cut")

# A file cut in the middle: the frames before the cut are read.
data = open(os.path.join(work, "full-exit.trace.zst"), "rb").read()
for keep in [len(data) // 2, len(data) - 7]:
    cut = os.path.join(work, f"cut-{keep}.trace.zst")
    with open(cut, "wb") as f:
        f.write(data[:keep])
    c = info(exe, cut)
    if c:
        check(c["end"] == "cut" and "cut_offset" in c, f"cut at {keep}: end {c['end']}")
        compare_with_python(doc, cut, c, work, f"cut at {keep}")
        rows, _ = replay(exe, work, f"known-cut-{keep}", cut, ["glibc"])
        check_replay_rows(rows, c, ["glibc"], f"replay cut at {keep}", end="cut")
finish()
