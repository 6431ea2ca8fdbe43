#!/usr/bin/env python3
"""A trace of 10^8 events is recorded, read and replayed in bounded memory:
the recorded program under the recorder, `trace info` (the reader) and the
replay's parent and worker each stay under 64 MiB of peak resident memory
(the processes' own figures: getrusage), whatever the trace's length."""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trace_common import check, check_replay_rows, finish, replay

exe, prog, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
LIMIT = 64 << 20
PAIRS = 50_000_000  # 10^8 events

trace = os.path.join(work, "many.trace.zst")
p = subprocess.run([exe, "record", "-o", trace, "--", prog, str(PAIRS)], capture_output=True,
                   text=True, timeout=1800)
print(p.stderr.strip())
check(p.returncode == 0, f"record: exit {p.returncode}")
m = re.search(r"peak RSS ([0-9.]+) MiB", p.stderr)
check(m and float(m.group(1)) * (1 << 20) < LIMIT, "the recorded program stays bounded")

# The reader alone: its own peak, from wait4.
child = subprocess.Popen([exe, "trace", "info", "--json", trace], stdout=subprocess.PIPE)
out = child.stdout.read()
_, status, usage = os.wait4(child.pid, 0)
check(status == 0, "trace info")
facts = json.loads(out)
check(facts["raw_events"] == 2 * PAIRS + 64, f"{facts['raw_events']} events")
check(usage.ru_maxrss * 1024 < LIMIT, f"trace info peak RSS {usage.ru_maxrss} KiB")
print(f"trace: {facts['file_bytes']} bytes, {facts['file_bytes'] / facts['raw_events']:.2f} "
      f"B/event; trace info peak RSS {usage.ru_maxrss / 1024:.1f} MiB")

rows, out_dir = replay(exe, work, "many", trace, ["glibc"], timeout=1800,
                       extra="  timeout: 1200\n")
check_replay_rows(rows, facts, ["glibc"], "replay of 10^8 events")
meta = json.load(open(os.path.join(out_dir, "run.json")))
parent = meta["harness"]["parent_peak_rss_bytes"]
check(parent < LIMIT, f"replay parent peak RSS {parent} bytes")
for r in rows:
    if r["status"] == "ok":
        worker = int(r["ru_maxrss_bytes"]) + int(r["harness_bytes"])
        check(worker < LIMIT, f"worker peak RSS {worker} bytes")
        print(f"replay: parent {parent >> 20} MiB, worker {worker >> 20} MiB, "
              f"{r['ops']} ops in {r['wall_s']} s")
if not [f for f in sys.modules["trace_common"].failures]:
    shutil.rmtree(work, ignore_errors=True)  # the trace is large
finish()
