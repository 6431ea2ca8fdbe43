/* bitmap.h - arrays of bits, one per chunk of the break heap.
 *
 * Pure functions over caller-owned uint64_t arrays (bit i is bit i%64 of
 * word i/64); also compiled into the sanitizer unit test.  Ranges are
 * half-open [start, start + count); searches return BITMAP_NONE when nothing
 * qualifies.
 */
#ifndef REF_BITMAP_H
#define REF_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BITMAP_NONE ((size_t)-1)
#define BITMAP_WORDS(bits) (((bits) + 63) / 64)

static inline bool bitmap_test(const uint64_t *map, size_t i)
{
    return (map[i / 64] >> (i % 64)) & 1u;
}

void bitmap_set_range(uint64_t *map, size_t start, size_t count);
void bitmap_clear_range(uint64_t *map, size_t start, size_t count);
size_t bitmap_count_range(const uint64_t *map, size_t start, size_t count);

/* First set (clear) bit in [from, limit). */
size_t bitmap_find_set(const uint64_t *map, size_t from, size_t limit);
size_t bitmap_find_clear(const uint64_t *map, size_t from, size_t limit);

/* Last set bit below limit. */
size_t bitmap_find_last_set(const uint64_t *map, size_t limit);

/* First i >= from with bits [i, i + count) all set and i + count <= limit. */
size_t bitmap_find_set_run(const uint64_t *map, size_t from, size_t limit, size_t count);

/* First i >= from with (i + phase) % align == 0 (align a power of two) and
 * bits [i, i + count) all set, i + count <= limit. */
size_t bitmap_find_set_run_aligned(const uint64_t *map, size_t from, size_t limit, size_t count,
                                   size_t align, size_t phase);

/* Best fit: among the maximal runs of set bits in [from, limit), the one
 * with the fewest bits from its first index i with (i + phase) % align == 0
 * to its end, at least `count` of them (the lowest on a tie); returns that
 * i, or BITMAP_NONE. */
size_t bitmap_find_best_run(const uint64_t *map, size_t from, size_t limit, size_t count, size_t align,
                            size_t phase);

/* Number of consecutive set bits ending at bit end - 1 (0 if it is clear). */
size_t bitmap_set_run_before(const uint64_t *map, size_t end);

#endif
