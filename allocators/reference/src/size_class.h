/* size_class.h - small request sizes, the classes that serve them, and
 * how a run of each class is laid out.
 *
 * Pure arithmetic, no state: also compiled into the sanitizer unit test,
 * which checks every invariant below exhaustively.
 *
 * Classes 0..15 are 16, 32, ..., 256 bytes.  Above 256 every power-of-two
 * interval (2^b, 2^(b+1)] is cut into 8 equal steps of 2^(b-3) bytes up to
 * 4096 (classes 16..47), and into 16 steps of 2^(b-4) bytes above
 * (classes 48..94):
 *     288 320 ... 512 | ... | 2560 ... 4096 | 4352 4608 ... 8192 | ... | 31744
 * stopping at SMALL_MAX = 31744, the largest size of which a run holds two.
 * Finer steps above 4 KiB: such objects span pages, so a class's slack is
 * resident memory, not just address space.
 * Invariants:
 *   - size_class_size(size_class_of(n)) >= n, and the class is the smallest
 *     such: waste is under 16 bytes up to 256, under 12.5% up to 4096 and
 *     under 6.25% above;
 *   - every class size is a multiple of 16, and every power of two from 16
 *     to 16384 is a class size.
 *
 * Run layout (run_first_offset, run_capacity): a run is one chunk; its
 * header (a fixed part and a bitmap with one bit per object) is followed by
 * the objects, the first one at offset F.  F is a multiple of A, the class
 * size's largest power-of-two divisor capped at RUN_ALIGN_MAX (2048), so
 * *every* object of the class is A-aligned (the chunk is 64 KiB-aligned,
 * objects are F + i * size): the classes of 512 or 2048 bytes serve
 * memalign(512/2048, n) with no waste beyond the class.  This costs no
 * capacity (checked by the unit test).  The cap keeps the header page
 * useful: with F = 4096 or more, page 0 would hold nothing but the
 * header (page-aligned requests are spans, one resident page each).
 */
#ifndef REF_SIZE_CLASS_H
#define REF_SIZE_CLASS_H

#include "config.h"

#define SIZE_CLASS_COUNT 95u
#define SIZE_CLASS_FINE_FIRST 48u /* the first class of 16 steps per doubling */

/* The class of a request of n <= SMALL_MAX bytes (0 is served as 1). */
static inline unsigned size_class_of(size_t n)
{
    if (n <= 256)
        return (unsigned)((n - (n != 0)) >> 4);
    size_t m = n - 1;
    unsigned b = 63u - (unsigned)__builtin_clzll(m); /* 2^b <= m < 2^(b+1) */
    if (b < 12)
        return 16u + (b - 8u) * 8u + (unsigned)((m - ((size_t)1 << b)) >> (b - 3u));
    return SIZE_CLASS_FINE_FIRST + (b - 12u) * 16u + (unsigned)((m - ((size_t)1 << b)) >> (b - 4u));
}

static inline size_t size_class_size(unsigned c)
{
    if (c < 16)
        return (size_t)(c + 1) << 4;
    if (c < SIZE_CLASS_FINE_FIRST) {
        unsigned b = 8u + (c - 16u) / 8u, step = (c - 16u) % 8u;
        return ((size_t)1 << b) + ((size_t)(step + 1) << (b - 3u));
    }
    unsigned b = 12u + (c - SIZE_CLASS_FINE_FIRST) / 16u, step = (c - SIZE_CLASS_FINE_FIRST) % 16u;
    return ((size_t)1 << b) + ((size_t)(step + 1) << (b - 4u));
}

#define RUN_ALIGN_MAX ((size_t)2048)

/* The alignment of every object of class c: the largest power of two
 * dividing its size, at most RUN_ALIGN_MAX. */
static inline size_t size_class_alignment(unsigned c)
{
    size_t size = size_class_size(c), align = size & (~size + 1);
    return align < RUN_ALIGN_MAX ? align : RUN_ALIGN_MAX;
}

/* Offset of the first object in a run of class c: the smallest multiple of
 * the class alignment that leaves room for the fixed header and one bitmap
 * bit (rounded to 64-bit words) per object that fits after it. */
static inline size_t run_first_offset(unsigned c)
{
    size_t size = size_class_size(c), align = size_class_alignment(c);
    size_t first = align_up(RUN_HEADER_FIXED + 8, align);
    for (;;) {
        size_t capacity = (CHUNK_SIZE - first) / size;
        size_t need = RUN_HEADER_FIXED + (capacity + 63) / 64 * 8;
        if (need <= first)
            return first;
        first = align_up(need, align);
    }
}

static inline unsigned run_capacity(unsigned c)
{
    return (unsigned)((CHUNK_SIZE - run_first_offset(c)) / size_class_size(c));
}

/* magic = floor(2^32 / size) + 1, so e = magic * size - 2^32 is in
 * [1, size].  For any n < 2^16 (an offset inside a run):
 *   - (n * magic) >> 32 == n / size exactly: the error n * e / 2^32 stays
 *     below n / 2^32 < 1 / size;
 *   - (n * magic) mod 2^32 is q * e when n = q * size, and at least magic
 *     otherwise (r * magic for the remainder r, with no wrap-around since
 *     size < 2^15): so "n is an object start among the first `cap`" is the
 *     single test (n * magic) mod 2^32 < cap * e, as magic > 2^16 > cap * e.
 * The unit test checks both for every class and every n. */
static inline uint32_t size_class_divisor_magic(unsigned c)
{
    return (uint32_t)(((uint64_t)1 << 32) / size_class_size(c) + 1);
}

/* cap * e for a run of class c holding cap objects (see above). */
static inline uint32_t size_class_start_limit(unsigned c, unsigned cap)
{
    uint64_t e = (uint64_t)size_class_divisor_magic(c) * size_class_size(c) - ((uint64_t)1 << 32);
    return (uint32_t)(cap * e);
}

static inline uint32_t divide_by_magic(uint32_t n, uint32_t magic)
{
    return (uint32_t)(((uint64_t)n * magic) >> 32);
}

/* How many objects of class c a thread cache may hold. */
static inline unsigned size_class_cache_limit(unsigned c)
{
    size_t n = TCACHE_BYTES_PER_CLASS / size_class_size(c);
    if (n < TCACHE_MIN_OBJECTS)
        n = TCACHE_MIN_OBJECTS;
    if (n > TCACHE_MAX_OBJECTS)
        n = TCACHE_MAX_OBJECTS;
    return (unsigned)n;
}

/* The smallest class whose objects hold n bytes and are all aligned to
 * `align` (a power of two > MIN_ALIGN), or SIZE_CLASS_COUNT when none is:
 * for align <= RUN_ALIGN_MAX, a class size that is a multiple of align has
 * an alignment >= align, and so does its first offset (see above). */
static inline unsigned size_class_for_alignment(size_t n, size_t align)
{
    if (n > SMALL_MAX || align > RUN_ALIGN_MAX)
        return SIZE_CLASS_COUNT;
    unsigned c = size_class_of(n);
    while (c < SIZE_CLASS_COUNT && (size_class_size(c) & (align - 1)) != 0)
        c++;
    return c;
}

#endif
