#!/usr/bin/env python3
"""A full filesystem: `allocscope run` into a 256 KiB tmpfs (mounted in a
private mount namespace, so nothing on the machine changes). What survives
on disk must be true: summary.csv holds whole rows only, run.json is valid
and says the run is incomplete and which writes failed, no temporary file
is left, the exit status is 4, and compare refuses the run as partial.

Skips (exit 77, with the reason) where no tmpfs can be mounted: neither a
user namespace nor root's mount namespace is available."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults import Failures, leftovers, load_json, whole_rows  # noqa: E402

exe, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
t = Failures()

# Mount a tmpfs on $0, run the command, copy what it left out to $COPY.
INNER = ('mount -t tmpfs -o size=256k allocscope-full "$0" || exit 97; '
         '"$@"; rc=$?; cp -a "$0/run" "$COPY" || exit 98; exit $rc')


def namespace():
    for prefix in (["unshare", "-Urm"], ["unshare", "-m"]):
        try:
            p = subprocess.run(prefix + ["sh", "-c", "mount -t tmpfs none /mnt 2>/dev/null || "
                                         "mount -t tmpfs none \"$0\"", work],
                               capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if p.returncode == 0:
            return prefix
    return None


prefix = namespace()
if not prefix:
    print("SKIP: cannot mount a tmpfs here (no user namespace, not root): "
          "the full-filesystem case is not tested on this machine")
    sys.exit(77)

mnt, copy = os.path.join(work, "mnt"), os.path.join(work, "copy")
os.makedirs(mnt)
w = os.path.join(src, "workloads")
env = dict(os.environ, COPY=copy)
p = subprocess.run(prefix + ["sh", "-c", INNER, mnt, exe, "run", "--quick", "-r", "40",
                             "-a", "glibc,jemalloc", "-o", os.path.join(mnt, "run"),
                             os.path.join(w, "churn-small.yaml"), os.path.join(w, "swiss-cheese.yaml")],
                   capture_output=True, text=True, env=env, timeout=600)
print(p.stderr[-3000:])
t.check(p.returncode not in (97, 98), f"the tmpfs was mounted and the run copied out ({p.returncode})")
t.check(p.returncode == 4, f"a run that could not write everything exits 4 (got {p.returncode})")
t.check("NOT RECORDED" in p.stderr and "No space left on device" in p.stderr,
        "stderr says what was not recorded and why")
t.check("stopped: results can no longer be written" in p.stderr, "the suite stops when a row is lost")

if os.path.isdir(copy):
    try:
        rows = whole_rows(os.path.join(copy, "summary.csv"))
        t.check(len(rows) >= 1, f"rows measured before the disk filled are kept ({len(rows)})")
        t.check(all(r["status"] == "ok" for r in rows), "every kept row is a real, finished run")
    except AssertionError as e:
        t.check(False, f"summary.csv holds a cut row: {e}")
    try:
        meta = load_json(os.path.join(copy, "run.json"))
        t.check(meta["status"] == "incomplete", f"run.json status {meta['status']!r}")
        errors = meta.get("write_errors", [])
        t.check(errors and all("No space left on device" in e for e in errors),
                f"run.json lists the failed writes: {errors[:2]}")
        t.check(meta.get("write_errors_total", 0) >= len(errors) > 0, "and counts them")
        t.check(meta["runs"]["planned"] == 2 * 2 * 40, f"planned runs recorded: {meta['runs']}")
    except (ValueError, KeyError) as e:
        t.check(False, f"run.json is not valid: {e}")
    t.check(leftovers(copy) == [], f"no temporary files left: {leftovers(copy)}")
    p = subprocess.run([exe, "compare", "--metric", "peak_heap", copy, copy], capture_output=True,
                       text=True)
    t.check(p.returncode == 2 and "incomplete" in p.stderr,
            f"compare refuses the incomplete run (exit {p.returncode}): {p.stderr[-300:]}")
    p = subprocess.run([exe, "compare", "--allow-partial", "--metric", "peak_heap", copy, copy],
                       capture_output=True, text=True)
    t.check(p.returncode == 0, f"--allow-partial judges it anyway (exit {p.returncode})")
    p = subprocess.run([exe, "baseline", "save", "--baselines", os.path.join(work, "b"), "x", copy],
                       capture_output=True, text=True)
    t.check(p.returncode == 2 and "not a complete run" in p.stderr, "baseline save refuses it")

# A path longer than any run directory can have is refused before anything runs.
long_dir = os.path.join(work, "x" * 200, *(["y" * 200] * 21))
p = subprocess.run([exe, "run", "--quick", "-r", "1", "-a", "glibc", "-o", long_dir,
                    os.path.join(w, "churn-small.yaml")], capture_output=True, text=True)
t.check(p.returncode == 2 and "too long" in p.stderr, f"an over-long -o is refused: {p.stderr[-200:]}")
t.check(not os.path.exists(os.path.join(work, "x" * 200)), "and nothing was created")
t.exit()
