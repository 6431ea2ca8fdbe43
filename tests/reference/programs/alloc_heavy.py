"""Allocation-heavy Python workload for the reference allocator's tests.

Prints a deterministic transcript (run with PYTHONHASHSEED=0); the test
compares it with and without the allocator preloaded.
"""
import hashlib
import json
import random
import re
import sys
import threading
import zlib
from collections import Counter, defaultdict

rng = random.Random(12345)
out = []

# many small objects: dicts, tuples, strings, lists that grow and shrink
table = {}
for i in range(200_000):
    key = "k%06d" % rng.randrange(1_000_000)
    table[key] = (i, str(i) * (i % 7), [i] * (i % 5))
    if i % 3 == 0 and table:
        table.pop(next(iter(table)))
out.append(("dict", len(table), sum(v[0] for v in table.values()) % 1_000_003))

# big strings and bytes, built and sliced
chunks = ["".join(chr(97 + (j * i) % 26) for j in range(rng.randrange(1, 3000))) for i in range(3000)]
text = "\n".join(chunks)
out.append(("text", len(text), hashlib.sha256(text.encode()).hexdigest()[:16]))
words = Counter(re.findall(r"[a-f]+", text))
out.append(("words", len(words), words.most_common(3)))

# bigints and lists of floats: 2999! has 9,131 digits, past Python 3.11's
# default limit of 4,300 for int -> str conversion, which is lifted here
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)
n = 1
for i in range(1, 3000):
    n *= i
digits = str(n)
out.append(("factorial-digits", len(digits), hashlib.sha256(digits.encode()).hexdigest()[:16]))
floats = sorted(rng.random() for _ in range(300_000))
out.append(("floats", round(sum(floats), 6)))

# json round trip of a nested structure
doc = [{"id": i, "tags": ["t%d" % (i % 13)] * (i % 4), "v": {"x": i / 7}} for i in range(50_000)]
blob = json.dumps(doc)
back = json.loads(blob)
out.append(("json", len(blob), back[-1]["id"]))

# compression buffers (large reallocs inside zlib and bytes)
raw = blob.encode() * 3
packed = zlib.compress(raw, 6)
out.append(("zlib", len(raw), zlib.decompress(packed) == raw))

# threads allocating and handing objects over
groups = defaultdict(list)
lock = threading.Lock()


def worker(k):
    local = [bytes([k]) * (k * 37 % 5000 + 1) for _ in range(2000)]
    with lock:
        groups[k % 4].extend(local)


threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
out.append(("threads", sorted((k, len(v), sum(map(len, v))) for k, v in groups.items())))

for line in out:
    print(line)
