#!/usr/bin/env python3
"""Pacing: a program with known pauses (gaps_program.c) recorded, replayed
as fast as possible and at its recorded pace (x1, x0.25). A paced replay
cannot be shorter than the recorded span scaled (it sleeps that long), and
it is the same replay otherwise (fidelity, peak live); the pacing waits
are in its op stream (another hash), not in its op count."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trace_common import check, check_replay_rows, finish, info, record, replay

exe, prog, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
trace = os.path.join(work, "gaps.trace.zst")
p = record(exe, trace, prog)
check(p.returncode == 0, f"record: {p.stderr}")
facts = info(exe, trace)
if facts:
    span = facts["duration_ns"] / 1e9
    check(span >= 0.45, f"the recording spans {span:.3f} s (5 x 100 ms of pauses)")
    hashes = {}
    for label, extra, scale in [("asap", "", None),
                                ("paced", "  pace: recorded\n", 1.0),
                                ("quarter", "  pace: recorded\n  time_scale: 0.25\n", 0.25)]:
        rows, _ = replay(exe, work, f"gaps-{label}", trace, ["glibc", "jemalloc"], extra)
        check_replay_rows(rows, facts, ["glibc", "jemalloc"], label)
        for r in rows:
            hashes.setdefault(label, set()).add(r["opstream_hash"])
            if scale and r["status"] == "ok":
                wall = float(r["wall_s"])
                check(wall >= 0.95 * span * scale,
                      f"{label} x {r['allocator']}: {wall:.3f} s, the recorded span x {scale} "
                      f"is {span * scale:.3f} s")
    check(len({h for s in hashes.values() for h in s}) == 3,
          f"three op streams (pacing waits are ops of their own): {hashes}")
finish()
