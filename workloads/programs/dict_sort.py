"""Build a dict of 400,000 string keys, sort it, drop it: the kind of
allocation pattern an interpreter makes (many small objects, a resize of
the hash table, a big list for the sort). Prints a checksum, which is the
same under every allocator."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 400000
d = {f"key-{(i * 7919) % n:08d}": [i, str(i)] for i in range(n)}
keys = sorted(d)
checksum = sum(d[k][0] for k in keys[:: max(1, n // 1000)])
del d
print(len(keys), checksum)
