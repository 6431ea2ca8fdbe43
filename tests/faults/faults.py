"""Helpers of the fault-injection tests: processes found through /proc,
results read back strictly, small YAML files."""
import csv
import io
import json
import os
import signal
import subprocess
import time


class Failures:
    def __init__(self):
        self.items = []

    def check(self, cond, msg):
        if not cond:
            self.items.append(msg)
            print("FAIL:", msg, flush=True)
        return cond

    def exit(self):
        if self.items:
            raise SystemExit(f"{len(self.items)} check(s) failed")
        print("all checks passed")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def proc_state(pid):
    """'R', 'S', 'Z', ... or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def alive(pid):
    state = proc_state(pid)
    return state is not None and state not in ("Z", "X")


def children(pid):
    """Pids whose parent is pid."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(name))
        except (OSError, IndexError, ValueError):
            pass
    return out


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")[0].decode(errors="replace")
    except OSError:
        return ""


def wait_for(cond, timeout=60, step=0.02):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return None


def gone_soon(pid, timeout=5):
    return wait_for(lambda: not alive(pid), timeout) is not None


def whole_rows(path):
    """summary.csv as dicts, failing (AssertionError) unless every record is
    whole: the file ends with a line end and every row has the header's
    field count."""
    data = open(path, "rb").read()
    assert data.endswith(b"\n"), f"{path} does not end with a line end: {data[-80:]!r}"
    rows = list(csv.reader(io.StringIO(data.decode())))
    header = rows[0]
    for i, r in enumerate(rows[1:], 2):
        assert len(r) == len(header), f"{path}:{i}: {len(r)} fields, header has {len(header)}"
    return [dict(zip(header, r)) for r in rows[1:]]


def leftovers(run_dir):
    """Temporary files the writer should never leave behind."""
    found = []
    for root, _, files in os.walk(run_dir):
        found += [os.path.join(root, f) for f in files if f.endswith(".tmp") or f.endswith(".reserve")]
    return found


def registry(path, shim):
    """A registry with glibc and the fault shim (which serves malloc itself)."""
    return write(path, f"""allocators:
  - name: glibc
  - name: faulty
    library: {shim}
""")


def start(argv, env=None):
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            text=True)


def worker_of(proc):
    for c in children(proc.pid):
        if cmdline(c).endswith("allocscope-worker") or "allocscope-worker" in cmdline(c):
            return c
    return None


def stop(proc):
    """End a test's own process if it is still there (by its pid)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def load_json(path):
    with open(path) as f:
        return json.load(f)
