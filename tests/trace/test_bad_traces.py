#!/usr/bin/env python3
"""Corrupt, truncated and wrong-version traces: `trace info`, `check` and
`run` say `FILE: offset N: message` and exit 2 without running anything,
or, for a trace that was merely cut short, read it up to its last complete
event; never a crash. The mutations are made on the decompressed stream
(then compressed again with the zstd tool) and on the file's bytes."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trace_common import check, finish, info, record, run

exe, prog, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)

good = os.path.join(work, "good.trace.zst")
p = record(exe, good, prog, "full", "exit")
check(p.returncode == 0, f"record: {p.stderr}")
raw = subprocess.run(["zstd", "-dcq", good], capture_output=True, check=True).stdout


# ---- where things are in the decoded stream -------------------------------

def uvar(data, pos):
    v = shift = 0
    while True:
        b = data[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v, pos


def layout(data):
    """Offsets: end of header, and each record's (offset, tag, fields...)."""
    pos = 12
    n, pos = uvar(data, pos)
    for _ in range(2 * n):
        length, pos = uvar(data, pos)
        pos += length
    header_end = pos
    records = []
    while pos < len(data):
        start, tag = pos, data[pos]
        pos += 1
        if tag == 1:
            fields = []
            for _ in range(4):
                v, pos = uvar(data, pos)
                fields.append((v, pos))
            records.append((start, tag, fields, pos))  # pos: first event
            pos += fields[3][0]
        else:
            count = {2: 2, 3: 2, 4: 3, 5: 7}[tag]
            fields = []
            for _ in range(count):
                v, pos = uvar(data, pos)
                fields.append((v, pos))
            if tag == 4:
                pos += fields[2][0]
            records.append((start, tag, fields, pos))
    return header_end, records


header_end, records = layout(raw)
chunks = [r for r in records if r[1] == 1]
end_rec = [r for r in records if r[1] == 5][0]


def encode_uvar(v):
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7F | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def compress(name, data):
    path = os.path.join(work, name + ".trace.zst")
    subprocess.run(["zstd", "-qf", "-o", path], input=data, check=True)
    return path


def expect_error(path, offset, pattern, label):
    """info, check and run all refuse it: FILE: offset N: message, exit 2."""
    p = run(exe, "trace", "info", path)
    check(p.returncode == 2, f"{label}: trace info exits {p.returncode} (2 expected): {p.stderr}")
    want = f"{path}: offset {offset}: " if offset is not None else f"{path}: offset "
    check(p.stderr.startswith(want) and re.search(pattern, p.stderr),
          f"{label}: message {p.stderr.strip()!r}, expected {want}...{pattern}")
    spec = os.path.join(work, "bad.yaml")
    with open(spec, "w") as f:
        f.write(f"workload:\n  name: bad\n  trace: {path}\n")
    out = os.path.join(work, "never")
    for cmd in (["check", spec], ["run", "-r", "1", "--no-plots", "-o", out, spec]):
        p = run(exe, *cmd)
        check(p.returncode == 2 and want in p.stderr,
              f"{label}: {cmd[0]} exits {p.returncode}: {p.stderr.strip()[:300]}")
    check(not os.path.exists(out), f"{label}: nothing was run")


def expect_cut(path, label):
    f = info(exe, path)
    if f:
        check(f["end"] == "cut", f"{label}: end {f['end']}, cut expected")
    return f


# ---- the file's bytes --------------------------------------------------------

empty = os.path.join(work, "empty.trace.zst")
open(empty, "wb").close()
expect_error(empty, 0, "empty", "empty file")

text = os.path.join(work, "text.trace.zst")
with open(text, "w") as f:
    f.write("workload:\n  name: not a trace\n")
expect_error(text, 0, "not an allocscope trace", "a text file")

expect_error(compress("magic", b"NOTTRACE" + raw[8:]), 0, "does not start with", "wrong magic")
expect_error(compress("version", raw[:8] + b"\x02\x00" + raw[10:]), 8,
             r"trace format version 2; this allocscope reads version 1", "version 2")
expect_error(compress("version-big", raw[:8] + b"\xff\xff" + raw[10:]), 8,
             r"trace format version 65535", "version 65535")
expect_error(compress("header-cut", raw[:20]), None, "inside its header", "cut in the header")

data = open(good, "rb").read()
# A flipped byte in the compressed data: zstd's checksum or its decoder
# notices, or the damage shows in a record; either way an error, no crash.
for at in [len(data) // 3, len(data) // 2, len(data) - 6]:
    bad = bytearray(data)
    bad[at] ^= 0x55
    path = os.path.join(work, f"flip-{at}.trace.zst")
    with open(path, "wb") as f:
        f.write(bad)
    p = run(exe, "trace", "info", path)
    check(p.returncode in (0, 2) and (p.returncode == 0 or p.stderr.startswith(path + ": offset ")),
          f"flipped byte {at}: exit {p.returncode}: {p.stderr.strip()[:200]}")
    check(p.returncode == 2, f"flipped byte {at}: not noticed")

# Cut anywhere: an error inside the header, else a cut-short trace.
for keep in range(1, len(data), max(1, len(data) // 24)):
    path = os.path.join(work, f"keep-{keep}.trace.zst")
    with open(path, "wb") as f:
        f.write(data[:keep])
    p = run(exe, "trace", "info", "--json", path)
    check(p.returncode in (0, 2), f"cut at {keep}: exit {p.returncode}")
    if p.returncode == 2:
        check(p.stderr.startswith(path + ": offset ") and
              ("inside its header" in p.stderr or "not an allocscope trace" in p.stderr),
              f"cut at {keep}: {p.stderr.strip()}")
    else:
        # Whole only when nothing but the frame's checksum (4 bytes) is gone.
        check('"end": "cut"' in p.stdout or (keep >= len(data) - 4 and '"end": "exit"' in p.stdout),
              f"cut at {keep} of {len(data)}: not reported as cut")

# ---- the decoded stream ---------------------------------------------------------

first = chunks[0]
ev = first[3]
expect_error(compress("tag", raw[:header_end] + b"\x09" + raw[header_end + 1:]), header_end,
             "unknown record type 9", "unknown record")
expect_error(compress("kind", raw[:ev] + bytes([raw[ev] & 0xF0 | 14]) + raw[ev + 1:]), ev,
             "unknown event kind 14", "unknown event kind")
expect_error(compress("reserved", raw[:ev] + bytes([raw[ev] | 0x80]) + raw[ev + 1:]), ev,
             "reserved flag bits", "reserved bits")
expect_error(compress("recent", raw[:ev] + bytes([(raw[ev] | 0x40) & ~0x10]) + raw[ev + 1:]), ev,
             r"an address \d+ back, of 0|address flag on an event", "a recent address of none")
seq_at = first[2][0][1]  # the byte after `thread`: first_seq (0, one byte)
check(raw[seq_at] == 0, "the first chunk starts at event 0")
expect_error(compress("seq", raw[:seq_at] + b"\x05" + raw[seq_at + 1:]), first[0],
             r"starts at event 5, expected 0", "a chunk out of sequence")
count_at = first[2][1][1]
count = first[2][2][0]
expect_error(compress("count", raw[:count_at] + encode_uvar(count + 1)[:len(encode_uvar(count))]
                      + raw[count_at + len(encode_uvar(count)):]),
             None, r"fewer than|bytes after|chunk of", "a chunk count that lies")
events_at = end_rec[2][2][1]  # END's 4th field follows its 3rd
n_events = end_rec[2][3][0]
enc = encode_uvar(n_events)
patched = raw[:events_at] + encode_uvar(n_events ^ 1)[:len(enc)].ljust(len(enc), b"\x00") + \
    raw[events_at + len(enc):]
expect_error(compress("end-count", patched), end_rec[0], r"END counts", "END's count")
expect_error(compress("after-end", raw + raw[end_rec[0]:]), len(raw), "after the END record",
             "a record after END")
# A valid frame whose stream stops inside a chunk: cut, not an error.
mid = chunks[len(chunks) // 2]
cut = compress("mid-chunk", raw[:mid[3] + 5])
f = expect_cut(cut, "stream ends inside a chunk")
if f:
    check(f["cut_offset"] >= mid[3], f"cut offset {f['cut_offset']} points into the chunk")
finish()
