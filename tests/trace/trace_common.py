"""Helpers shared by the trace tests: running allocscope, recording,
reading `trace info --json`, replaying under allocators."""
import csv
import json
import os
import re
import subprocess
import sys

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)
    return cond


def finish():
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("all checks passed")


def run(exe, *args, timeout=600, env=None, **kw):
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, **kw)


def record(exe, trace, prog, *args, timeout=600, env=None):
    if os.path.exists(trace):
        os.unlink(trace)
    p = run(exe, "record", "-o", trace, "--", prog, *args, timeout=timeout, env=env)
    return p


def info(exe, trace):
    p = run(exe, "trace", "info", "--json", trace)
    if not check(p.returncode == 0, f"trace info {trace}: exit {p.returncode}: {p.stderr}"):
        return None
    return json.loads(p.stdout)


def python_reader(doc):
    """The Python reader from docs/trace-format.md (its last python block)."""
    blocks = re.findall(r"```python\n(.*?)```", open(doc).read(), re.S)
    return blocks[-1]


def read_with_python(doc, trace, work):
    path = os.path.join(work, "read_trace.py")
    with open(path, "w") as f:
        f.write(python_reader(doc))
    # A cut-short file makes zstd complain at its end, after the bytes it
    # could decode.
    raw = subprocess.run(["zstd", "-dcq", trace], capture_output=True).stdout
    p = subprocess.run([sys.executable, path], input=raw, capture_output=True, timeout=600)
    check(p.returncode == 0, f"python reader on {trace}: {p.stderr.decode()}")
    return json.loads(p.stdout) if p.returncode == 0 else None


def compare_with_python(doc, trace, facts, work, label):
    """The independent reader agrees with allocscope's facts."""
    py = read_with_python(doc, trace, work)
    if py is None or facts is None:
        return
    calls = {k: v for k, v in facts["calls"].items() if v}
    check(py["calls"] == calls, f"{label}: calls: python {py['calls']} vs trace info {calls}")
    for key in ["threads", "end", "peak_live_bytes", "final_live_bytes", "final_live_objects"]:
        check(py[key] == facts[key], f"{label}: {key}: python {py[key]} vs trace info {facts[key]}")


def replay(exe, work, name, trace, allocators, extra="", reps=1, timeout=600):
    """Replay `trace` under `allocators`; returns the rows of summary.csv."""
    spec = os.path.join(work, name + ".yaml")
    if "timeout:" not in extra:
        extra = "  timeout: 120\n" + extra
    with open(spec, "w") as f:
        f.write(f"workload:\n  name: {name}\n  trace: {os.path.abspath(trace)}\n{extra}")
    out = os.path.join(work, "run-" + name)
    subprocess.run(["rm", "-rf", out])
    p = run(exe, "run", spec, "-a", ",".join(allocators), "-r", str(reps), "--no-plots",
            "-o", out, timeout=timeout)
    check(p.returncode == 0, f"{name}: allocscope run exit {p.returncode}: {p.stderr[-2000:]}")
    path = os.path.join(out, "summary.csv")
    if not os.path.exists(path):
        check(False, f"{name}: no summary.csv")
        return [], out
    return list(csv.DictReader(open(path))), out


def check_replay_rows(rows, facts, allocators, label, end=None):
    check(len(rows) == len(allocators), f"{label}: {len(rows)} rows for {allocators}")
    hashes = set()
    for r in rows:
        a = r["allocator"]
        check(r["status"] == "ok", f"{label} x {a}: {r['status']}: {r['reason']}")
        check(r["trace_fidelity"] == "ok", f"{label} x {a}: fidelity {r['trace_fidelity']!r}")
        if facts is None:
            continue
        check(r["trace_hash"] == facts["hash"], f"{label} x {a}: trace hash")
        check(int(r["trace_events"] or -1) == facts["events"], f"{label} x {a}: trace_events")
        check(int(r["trace_peak_live_bytes"] or -1) == facts["peak_live_bytes"],
              f"{label} x {a}: trace_peak_live_bytes")
        if r["status"] == "ok":
            check(int(r["peak_live_bytes"]) == facts["peak_live_bytes"],
                  f"{label} x {a}: peak live {r['peak_live_bytes']} vs recorded "
                  f"{facts['peak_live_bytes']}")
            check(int(r["ops"]) == facts["events"] + facts["final_live_objects"],
                  f"{label} x {a}: ops {r['ops']} vs {facts['events']} recorded + "
                  f"{facts['final_live_objects']} teardown frees")
        check(end is None or r["trace_end"] == end, f"{label} x {a}: trace_end {r['trace_end']}")
        hashes.add(r["opstream_hash"])
    check(len(hashes) == 1 and "" not in hashes, f"{label}: one op stream for all: {hashes}")
