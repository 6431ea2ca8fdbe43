/* bitmap.c - range updates and searches over bit arrays (see bitmap.h). */
#include "bitmap.h"

/* Bits [lo, hi) of one word, 0 <= lo < hi <= 64. */
static uint64_t word_mask(unsigned lo, unsigned hi)
{
    uint64_t upto_hi = hi == 64 ? ~(uint64_t)0 : (((uint64_t)1 << hi) - 1);
    return upto_hi & ~(((uint64_t)1 << lo) - 1);
}

/* Runs `body` with word_index and mask set for each word that
 * [start, start + count) touches. */
#define FOR_EACH_WORD(start, count, word_index, mask, body)                    \
    do {                                                                       \
        size_t pos_ = (start), end_ = (start) + (count);                       \
        while (pos_ < end_) {                                                  \
            size_t word_index = pos_ / 64;                                     \
            unsigned lo_ = (unsigned)(pos_ % 64);                              \
            size_t room_ = 64 - lo_;                                           \
            unsigned hi_ = end_ - pos_ < room_ ? lo_ + (unsigned)(end_ - pos_) : 64; \
            uint64_t mask = word_mask(lo_, hi_);                               \
            body;                                                              \
            pos_ += hi_ - lo_;                                                 \
        }                                                                      \
    } while (0)

void bitmap_set_range(uint64_t *map, size_t start, size_t count)
{
    FOR_EACH_WORD(start, count, w, mask, map[w] |= mask);
}

void bitmap_clear_range(uint64_t *map, size_t start, size_t count)
{
    FOR_EACH_WORD(start, count, w, mask, map[w] &= ~mask);
}

size_t bitmap_count_range(const uint64_t *map, size_t start, size_t count)
{
    size_t n = 0;
    FOR_EACH_WORD(start, count, w, mask, n += (size_t)__builtin_popcountll(map[w] & mask));
    return n;
}

/* Shared by find_set/find_clear: `invert` flips each word before looking
 * for a set bit. */
static size_t find_bit(const uint64_t *map, size_t from, size_t limit, uint64_t invert)
{
    while (from < limit) {
        size_t w = from / 64;
        uint64_t bits = (map[w] ^ invert) & ~(((uint64_t)1 << (from % 64)) - 1);
        if (bits) {
            size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
            return i < limit ? i : BITMAP_NONE;
        }
        from = (w + 1) * 64;
    }
    return BITMAP_NONE;
}

size_t bitmap_find_set(const uint64_t *map, size_t from, size_t limit)
{
    return find_bit(map, from, limit, 0);
}

size_t bitmap_find_clear(const uint64_t *map, size_t from, size_t limit)
{
    return find_bit(map, from, limit, ~(uint64_t)0);
}

size_t bitmap_find_last_set(const uint64_t *map, size_t limit)
{
    while (limit > 0) {
        size_t w = (limit - 1) / 64;
        unsigned top_bit = (unsigned)((limit - 1) % 64);
        uint64_t bits = map[w] & (top_bit == 63 ? ~(uint64_t)0 : (((uint64_t)1 << (top_bit + 1)) - 1));
        if (bits)
            return w * 64 + 63 - (size_t)__builtin_clzll(bits);
        limit = w * 64;
    }
    return BITMAP_NONE;
}

size_t bitmap_find_set_run(const uint64_t *map, size_t from, size_t limit, size_t count)
{
    size_t i = bitmap_find_set(map, from, limit);
    while (i != BITMAP_NONE) {
        if (count > limit - i)
            return BITMAP_NONE;
        size_t gap = bitmap_find_clear(map, i, i + count);
        if (gap == BITMAP_NONE)
            return i;
        i = bitmap_find_set(map, gap + 1, limit);
    }
    return BITMAP_NONE;
}

size_t bitmap_find_set_run_aligned(const uint64_t *map, size_t from, size_t limit, size_t count,
                                   size_t align, size_t phase)
{
    size_t i = bitmap_find_set(map, from, limit);
    while (i != BITMAP_NONE) {
        i = ((i + phase + align - 1) & ~(align - 1)) - phase; /* next aligned index */
        if (i >= limit || count > limit - i)
            return BITMAP_NONE;
        size_t gap = bitmap_find_clear(map, i, i + count);
        if (gap == BITMAP_NONE)
            return i;
        i = bitmap_find_set(map, gap + 1, limit);
    }
    return BITMAP_NONE;
}

size_t bitmap_find_best_run(const uint64_t *map, size_t from, size_t limit, size_t count, size_t align,
                            size_t phase)
{
    size_t best = BITMAP_NONE, best_length = SIZE_MAX;
    size_t i = bitmap_find_set(map, from, limit);
    while (i != BITMAP_NONE) {
        size_t end = bitmap_find_clear(map, i, limit);
        if (end == BITMAP_NONE)
            end = limit;
        size_t start = ((i + phase + align - 1) & ~(align - 1)) - phase;
        if (start < end && end - start >= count && end - start < best_length) {
            best = start;
            best_length = end - start;
            if (best_length == count)
                break; /* cannot do better */
        }
        i = end < limit ? bitmap_find_set(map, end, limit) : BITMAP_NONE;
    }
    return best;
}

size_t bitmap_set_run_before(const uint64_t *map, size_t end)
{
    size_t n = 0;
    while (end > 0) {
        size_t w = (end - 1) / 64;
        unsigned used = (unsigned)((end - 1) % 64) + 1; /* bits of word w below end */
        uint64_t bits = used == 64 ? map[w] : map[w] & (((uint64_t)1 << used) - 1);
        uint64_t clear = ~bits & (used == 64 ? ~(uint64_t)0 : (((uint64_t)1 << used) - 1));
        if (clear) /* the highest clear bit below end stops the run */
            return n + (used - 1 - (63u - (unsigned)__builtin_clzll(clear)));
        n += used;
        end -= used;
    }
    return n;
}
