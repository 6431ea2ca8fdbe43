"""An allocation-heavy Python program for the trace tests: dicts, strings,
JSON, lists that grow and shrink, and two threads that hand objects to each
other through a queue (cross-thread frees). Prints a deterministic
transcript (PYTHONHASHSEED=0), compared with and without the recorder."""
import hashlib
import json
import queue
import random
import threading

rng = random.Random(2024)
out = []

table = {}
for i in range(30_000):
    table["k%06d" % rng.randrange(1_000_000)] = (i, str(i) * (i % 9), [i] * (i % 6))
    if i % 3 == 0:
        table.pop(next(iter(table)))
out.append(("dict", len(table)))

doc = [{"id": i, "tags": ["t%d" % (i % 17)] * (i % 5), "text": "x" * (i % 300)} for i in range(10_000)]
blob = json.dumps(doc)
out.append(("json", len(blob), hashlib.sha256(blob.encode()).hexdigest()[:16]))
out.append(("reparsed", len(json.loads(blob))))

grow = []
for i in range(25_000):
    grow.append(bytearray(i % 2000))
    if len(grow) > 3000:
        del grow[: rng.randrange(1, 1500)]
out.append(("bytearrays", len(grow)))

q = queue.Queue(maxsize=256)
def producer():
    for i in range(10_000):
        q.put(["p%d" % i] * (1 + i % 40))
    q.put(None)

total = 0
t = threading.Thread(target=producer)
t.start()
while (item := q.get()) is not None:
    total += len(item)
t.join()
out.append(("queue", total))
print(out)
