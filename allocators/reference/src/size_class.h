/* size_class.h - small request sizes and the classes that serve them.
 *
 * Pure arithmetic, no state: also compiled into the sanitizer unit test.
 *
 * Classes 0..15 are 16, 32, ..., 256 bytes.  Above 256 every power-of-two
 * interval (2^b, 2^(b+1)] is cut into 8 equal steps of 2^(b-3) bytes, up to
 * 8192 (classes 16..55):
 *     288 320 ... 512 | 576 640 ... 1024 | ... | 4608 5120 ... 8192
 * Then five "fitted" classes (56..60) whose k = 6, 5, 4, 3, 2 objects fill a
 * run exactly: (CHUNK_SIZE - CHUNK_HEADER_SIZE) / k, rounded down to 16:
 *     10880 13056 16320 21760 32640 (= SMALL_MAX)
 * Invariants (checked by the unit test for every size 0..SMALL_MAX):
 *   - size_class_size(size_class_of(n)) >= n, and the class is the smallest
 *     such: waste is under 16 bytes up to 256, under 12.5% up to 8192 and
 *     under 50% in the fitted classes;
 *   - every class size is a multiple of 16 (so every object is 16-aligned:
 *     runs start objects at CHUNK_HEADER_SIZE, a multiple of 256);
 *   - every power of two from 16 to 8192 is a class size.
 */
#ifndef REF_SIZE_CLASS_H
#define REF_SIZE_CLASS_H

#include "config.h"

#define GEOMETRIC_CLASS_COUNT 56u /* classes up to 8192 */
#define SIZE_CLASS_COUNT 61u

/* The fitted class holding k objects per run (k = 6 .. 2). */
static inline size_t fitted_class_size(unsigned k)
{
    return ((CHUNK_SIZE - CHUNK_HEADER_SIZE) / k) & ~(size_t)15;
}

/* The class of a request of n <= SMALL_MAX bytes (0 is served as 1). */
static inline unsigned size_class_of(size_t n)
{
    if (n <= 256)
        return n ? (unsigned)((n - 1) >> 4) : 0;
    if (n <= 8192) {
        size_t m = n - 1;
        unsigned b = 63u - (unsigned)__builtin_clzll(m); /* 2^b <= m < 2^(b+1) */
        return 16u + (b - 8u) * 8u + (unsigned)((m - ((size_t)1 << b)) >> (b - 3u));
    }
    unsigned c = GEOMETRIC_CLASS_COUNT;
    while (fitted_class_size(6u - (c - GEOMETRIC_CLASS_COUNT)) < n)
        c++;
    return c;
}

static inline size_t size_class_size(unsigned c)
{
    if (c < 16)
        return (size_t)(c + 1) << 4;
    if (c >= GEOMETRIC_CLASS_COUNT)
        return fitted_class_size(6u - (c - GEOMETRIC_CLASS_COUNT));
    unsigned b = 8u + (c - 16u) / 8u, step = (c - 16u) % 8u;
    return ((size_t)1 << b) + ((size_t)(step + 1) << (b - 3u));
}

/* Objects of class c that fit in one chunk after its header. */
static inline unsigned size_class_run_capacity(unsigned c)
{
    return (unsigned)((CHUNK_SIZE - CHUNK_HEADER_SIZE) / size_class_size(c));
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

/* The smallest class whose objects are all aligned to `align` (a power of
 * two, 16 < align <= CHUNK_HEADER_SIZE) and hold n bytes, or
 * SIZE_CLASS_COUNT when no class does.  An object of class c lies at
 * chunk + CHUNK_HEADER_SIZE + i * size; chunk and header size are multiples
 * of align, so the object is aligned exactly when the class size is. */
static inline unsigned size_class_for_alignment(size_t n, size_t align)
{
    if (n > SMALL_MAX)
        return SIZE_CLASS_COUNT;
    unsigned c = size_class_of(n ? n : 1);
    while (c < SIZE_CLASS_COUNT && (size_class_size(c) & (align - 1)) != 0)
        c++;
    return c;
}

#endif
