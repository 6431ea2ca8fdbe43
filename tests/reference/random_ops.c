/* random_ops.c - a long seeded sequence of random allocator calls with the
 * invariants checked after every step:
 *   - every returned pointer is aligned as asked (16 at least) and has
 *     malloc_usable_size >= the request;
 *   - no two live blocks overlap (live blocks are kept sorted by address;
 *     each new or moved block is checked against its neighbours, which by
 *     induction keeps the whole set disjoint; a full sweep runs periodically);
 *   - contents survive: every block carries a pattern, checked on realloc
 *     (the preserved prefix), on free, and in the periodic sweep;
 *   - calloc memory reads as zero.
 *
 *   random_ops [ops] [seed]
 */
#include "test_util.h"

#include <malloc.h>

enum { SLOTS = 3000 };

struct block {
    char *p;
    size_t size, align;
    uint64_t tag;
};

static struct block slots[SLOTS];
static struct block *by_address[SLOTS]; /* live blocks, sorted by p */
static size_t live;

/* Patterned bytes: the first 16 KiB, then one byte in 256, and the last 64:
 * enough to catch overlap and lost data without writing megabytes.
 * next_patterned steps through them in order. */
static size_t next_patterned(size_t i, size_t n)
{
    i++;
    if (i < 16384 || i + 64 >= n)
        return i;
    size_t next_sparse = (i + 255) & ~(size_t)255;
    return next_sparse < n - 64 ? next_sparse : n - 64;
}

static void stamp(const struct block *b)
{
    for (size_t i = 0; i < b->size; i = next_patterned(i, b->size))
        b->p[i] = (char)pattern_byte(b->tag, i);
}

/* The patterned bytes of b below n are unchanged. */
static bool intact(const struct block *b, size_t n)
{
    for (size_t i = 0; i < n; i = next_patterned(i, b->size))
        if ((unsigned char)b->p[i] != pattern_byte(b->tag, i))
            return false;
    return true;
}

static size_t position_of(const char *p)
{
    size_t lo = 0, hi = live;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (by_address[mid]->p < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool disjoint(const struct block *a, const struct block *b)
{
    return a->p + malloc_usable_size(a->p) <= b->p;
}

static void index_insert(struct block *b, uint64_t step)
{
    size_t at = position_of(b->p);
    if (at > 0)
        CHECK(disjoint(by_address[at - 1], b), "step %llu: %p overlaps the block below it",
              (unsigned long long)step, (void *)b->p);
    if (at < live)
        CHECK(disjoint(b, by_address[at]), "step %llu: %p overlaps the block above it",
              (unsigned long long)step, (void *)b->p);
    memmove(&by_address[at + 1], &by_address[at], (live - at) * sizeof by_address[0]);
    by_address[at] = b;
    live++;
}

static void index_remove(struct block *b)
{
    size_t at = position_of(b->p);
    if (at >= live || by_address[at] != b)
        FATAL("index lost block %p", (void *)b->p);
    memmove(&by_address[at], &by_address[at + 1], (live - at - 1) * sizeof by_address[0]);
    live--;
}

static size_t random_size(uint64_t r)
{
    unsigned pick = (unsigned)(r % 1000);
    if (pick < 700)
        return (r >> 16) % 257;
    if (pick < 930)
        return (r >> 16) % 8193;
    if (pick < 995)
        return (r >> 16) % 1100000;
    return (r >> 16) % 4000000;
}

static void check_new(struct block *b, size_t requested, uint64_t step, const char *what)
{
    CHECK(((uintptr_t)b->p & (b->align - 1)) == 0, "step %llu: %s gave %p, not %zu-aligned",
          (unsigned long long)step, what, (void *)b->p, b->align);
    CHECK(malloc_usable_size(b->p) >= requested, "step %llu: %s(%zu) usable %zu",
          (unsigned long long)step, what, requested, malloc_usable_size(b->p));
}

static void allocate(struct block *b, uint64_t r, uint64_t step)
{
    size_t n = random_size(r >> 8);
    const char *what;
    b->align = 16;
    switch (r % 8) {
    case 0:
        what = "calloc";
        b->p = calloc(1 + (r >> 40) % 3, n);
        n *= 1 + (r >> 40) % 3;
        if (b->p) {
            size_t check = n < 65536 ? n : 65536;
            for (size_t i = 0; i < check; i++)
                if (b->p[i]) {
                    CHECK(0, "step %llu: calloc(%zu) byte %zu not zero", (unsigned long long)step, n, i);
                    break;
                }
        }
        break;
    case 1:
        what = "memalign";
        b->align = (size_t)16 << ((r >> 32) % 9);
        b->p = memalign(b->align, n);
        break;
    case 2:
        what = "posix_memalign";
        b->align = (size_t)8 << ((r >> 32) % 14);
        if (posix_memalign((void **)&b->p, b->align, n) != 0)
            b->p = NULL;
        if (b->align < 16)
            b->align = 16;
        break;
    case 3:
        what = "aligned_alloc";
        b->align = (size_t)32 << ((r >> 32) % 6);
        b->p = aligned_alloc(b->align, n);
        break;
    case 4:
        what = "realloc(NULL)";
        b->p = realloc(NULL, n);
        break;
    default:
        what = "malloc";
        b->p = malloc(n);
    }
    if (!b->p)
        FATAL("step %llu: %s(%zu) failed", (unsigned long long)step, what, n);
    b->size = n;
    b->tag = r;
    check_new(b, n, step, what);
    index_insert(b, step);
    stamp(b);
}

static void release(struct block *b, uint64_t step)
{
    CHECK(intact(b, b->size), "step %llu: block %p (%zu bytes) corrupted before free",
          (unsigned long long)step, (void *)b->p, b->size);
    index_remove(b);
    free(b->p);
    b->p = NULL;
}

static void resize(struct block *b, uint64_t r, uint64_t step)
{
    size_t n = (r % 3 == 0) ? b->size + (r >> 20) % 5000 : random_size(r >> 4);
    if (n == 0)
        n = 1;
    CHECK(intact(b, b->size), "step %llu: block corrupted before realloc", (unsigned long long)step);
    index_remove(b);
    char *q = realloc(b->p, n);
    if (!q)
        FATAL("step %llu: realloc(%zu) failed", (unsigned long long)step, n);
    struct block moved = { .p = q, .size = n, .align = 16, .tag = b->tag };
    size_t keep = b->size < n ? b->size : n;
    /* the old pattern must survive in the common prefix */
    struct block old_view = { .p = q, .size = b->size, .tag = b->tag };
    CHECK(intact(&old_view, keep), "step %llu: realloc %zu -> %zu lost contents",
          (unsigned long long)step, b->size, n);
    *b = moved;
    check_new(b, n, step, "realloc");
    index_insert(b, step);
    b->tag = r;
    stamp(b);
}

static void sweep(uint64_t step)
{
    for (size_t i = 0; i < live; i++) {
        CHECK(intact(by_address[i], by_address[i]->size), "step %llu: sweep found %p corrupted",
              (unsigned long long)step, (void *)by_address[i]->p);
        if (i > 0)
            CHECK(disjoint(by_address[i - 1], by_address[i]), "step %llu: sweep found overlap",
                  (unsigned long long)step);
    }
}

int main(int argc, char **argv)
{
    uint64_t ops = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 20240601;
    check_expected_allocator();
    printf("%llu operations, seed %llu\n", (unsigned long long)ops, (unsigned long long)seed);
    uint64_t r = seed;
    for (uint64_t step = 0; step < ops && test_failures < 20; step++) {
        r = mix64(r + step);
        struct block *b = &slots[r % SLOTS];
        if (!b->p)
            allocate(b, r >> 12, step);
        else if ((r >> 60) < 11)
            release(b, step);
        else
            resize(b, r >> 12, step);
        if (step % 100000 == 99999)
            sweep(step);
    }
    sweep(ops);
    for (size_t i = 0; i < SLOTS; i++)
        if (slots[i].p)
            release(&slots[i], ops);
    CHECK(live == 0, "index still holds %zu blocks", live);
    return test_finish("random_ops");
}
