#!/usr/bin/env python3
"""Real programs recorded and replayed under every allocator:
  test_real_programs.py ALLOCSCOPE DOC WORK python|sort|git
The program's output is the same with and without the recorder; the trace
ends by exit; the Python reader of docs/trace-format.md agrees with trace
info; the replay under each available allocator of the registry is ok,
checked against the recording, with the recording's peak live bytes."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trace_common import (check, check_replay_rows, compare_with_python, finish, info, record,
                          replay, run)

exe, doc, work, program = sys.argv[1:5]
here = os.path.dirname(os.path.abspath(__file__))
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
env = dict(os.environ, LC_ALL="C", TZ="UTC", PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")


def need(path, package):
    if not os.access(path, os.X_OK):
        check(False, f"{path} not found: apt-get install {package}")
        finish()


if program == "python":
    need("/usr/bin/python3", "python3")
    # Every object through malloc (not pymalloc's arenas): millions of
    # calls, two threads handing objects over.
    env["PYTHONMALLOC"] = "malloc"
    cmd = ["/usr/bin/python3", os.path.join(here, "programs", "py_work.py")]
    min_events = 100_000
elif program == "sort":
    need("/usr/bin/sort", "coreutils")
    data = os.path.join(work, "input.txt")
    import random
    rng = random.Random(7)
    with open(data, "w") as f:
        for i in range(300_000):
            f.write(f"{rng.randrange(10**9)} {'qwertyuiopasdfghjkl'[rng.randrange(19):][:rng.randrange(1, 8)]} {i}\n")
    # Two sorting threads, a 16 MiB buffer. (In the C locale sort makes few,
    # large allocations: some 70.)
    cmd = ["/usr/bin/sort", "-n", "-S", "16M", "--parallel=2", data]
    min_events = 20
elif program == "git":
    need("/usr/bin/git", "git")
    env.update(HOME=os.path.join(work, "home"), GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="T",
               GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="T",
               GIT_COMMITTER_EMAIL="t@example.org")
    os.makedirs(env["HOME"])
    repo = os.path.join(work, "repo")
    subprocess.run(["git", "init", "-q", "-b", "main", repo], env=env, check=True)
    for c in range(1, 5):
        for n in range(1, 9):
            with open(os.path.join(repo, f"file{n}.txt"), "w") as f:
                f.writelines(f"line {c} {n} {i}\n" for i in range(c * n * 10, c * n * 60))
        subprocess.run(["git", "-C", repo, "add", "-A"], env=env, check=True)
        date = f"2024-01-0{c} 12:00:00 +0000"
        subprocess.run(["git", "-C", repo, "commit", "-q", "-m", f"commit {c}"], check=True,
                       env=dict(env, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date))
    cmd = ["/usr/bin/git", "-C", repo, "--no-pager", "log", "-p", "--stat"]
    min_events = 1000
else:
    sys.exit(f"unknown program {program}")

plain = subprocess.run(cmd, capture_output=True, env=env, timeout=600)
check(plain.returncode == 0, f"{program} without the recorder: {plain.stderr[-500:]}")
trace = os.path.join(work, f"{program}.trace.zst")
rec = subprocess.run([exe, "record", "-o", trace, "--", *cmd], capture_output=True, env=env,
                     timeout=600)
check(rec.returncode == 0, f"record {program}: exit {rec.returncode}: {rec.stderr[-800:]}")
check(rec.stdout == plain.stdout, f"{program}: the output differs under the recorder")

facts = info(exe, trace)
if facts:
    print(f"{program}: {facts['raw_events']} events, {facts['threads']} threads, "
          f"{facts['file_bytes']} bytes ({facts['file_bytes'] / max(1, facts['raw_events']):.2f} "
          f"B/event), peak live {facts['peak_live_bytes']}")
    check(facts["end"] == "exit", f"{program}: ended by {facts['end']}")
    if program == "sort":
        check(facts["threads"] == 2, f"sort --parallel=2: {facts['threads']} threads")
    check(facts["events"] >= min_events, f"{program}: only {facts['events']} events")
    check(facts["unmatched_frees"] == 0 and facts["implicit_frees"] == 0,
          f"{program}: {facts['unmatched_frees']} unmatched and {facts['implicit_frees']} "
          "implicit frees")
    compare_with_python(doc, trace, facts, work, program)

allocators = []  # `allocscope list`: "  NAME  available  ..."
for line in run(exe, "list").stdout.splitlines():
    parts = line.split()
    if len(parts) >= 2 and line.startswith("  ") and not line.startswith("   ") and \
            parts[1] == "available":
        allocators.append(parts[0])
check(set(allocators) >= {"glibc", "jemalloc", "mimalloc", "reference"},
      f"allocators available: {allocators}")
rows, _ = replay(exe, work, f"{program}-trace", trace, allocators)
check_replay_rows(rows, facts, allocators, program, end="exit")
finish()
