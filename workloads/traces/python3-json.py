"""The program recorded into python3-json.trace.zst (see README.md beside it):
a single-threaded Python service-like loop that parses, transforms and
serializes JSON documents, with a cache that grows and is trimmed."""
import json
import random

rng = random.Random(11)
cache = {}
out = 0
for request in range(2000):
    doc = {"id": request, "user": "u%05d" % rng.randrange(20000),
           "items": [{"sku": rng.randrange(10**6), "qty": rng.randrange(1, 9),
                      "note": "x" * rng.randrange(0, 200)} for _ in range(rng.randrange(1, 12))]}
    text = json.dumps(doc)
    parsed = json.loads(text)
    total = sum(item["qty"] for item in parsed["items"])
    cache[parsed["user"]] = (total, text[: rng.randrange(10, 400)])
    if len(cache) > 1500:
        for key in list(cache)[:500]:
            del cache[key]
    out += len(json.dumps({"user": parsed["user"], "total": total}))
print(out, len(cache))
