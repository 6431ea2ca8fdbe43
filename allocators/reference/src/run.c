/* run.c - objects in and out of a run's bitmap (see run.h). */
#include "run.h"

#include "bitmap.h"
#include "debug.h"
#include "os.h"
#include "size_class.h"

struct run *run_create(void *chunk, unsigned c, unsigned shard)
{
    struct run *run = chunk;
    uint32_t size = (uint32_t)size_class_size(c);
    uint32_t capacity = run_capacity(c);
    run->tag = guard_tag(c);
    run->objects = (char *)chunk + run_first_offset(c);
    run->area = capacity * size;
    run->object_size = size;
    run->magic = size_class_divisor_magic(c);
    run->start_limit = size_class_start_limit(c, capacity);
    run->capacity = capacity;
    run->first_offset = (uint16_t)run_first_offset(c);
    run->shard = (uint16_t)shard;
    run->class_index = (uint16_t)c;
    run->prev = run->next = NULL;
    run->free_count = capacity;
    run->scan_word = 0;
    run->touched_end = 0;
    run->purged_pages = 0;
    run->on_partial_list = false;
    run->sparse_pending = false;
    run->purge_at = capacity / RUN_SPARSE_FRACTION;
    size_t words = BITMAP_WORDS(capacity);
    for (size_t w = 0; w < words; w++)
        run->free_bits[w] = ~(uint64_t)0;
    if (capacity % 64)
        run->free_bits[words - 1] = ((uint64_t)1 << (capacity % 64)) - 1;
    REF_ASSERT((char *)&run->free_bits[words] <= run->objects);
    REF_ASSERT(run->objects + run->area <= (char *)chunk + CHUNK_SIZE);
    return run;
}

/* Pages [first, last] of the chunk that object i overlaps. */
static void object_pages(const struct run *run, uint32_t i, unsigned *first, unsigned *last)
{
    uintptr_t start = (uintptr_t)(run->objects - (const char *)run) + (uintptr_t)i * run->object_size;
    *first = (unsigned)(start >> PAGE_SHIFT);
    *last = (unsigned)((start + run->object_size - 1) >> PAGE_SHIFT);
}

uint32_t run_take(struct run *run, uint32_t want, void **out)
{
    uint32_t taken = 0;
    size_t words = BITMAP_WORDS(run->capacity);
    size_t w = run->scan_word;
    while (taken < want && w < words) {
        uint64_t bits = run->free_bits[w];
        while (bits && taken < want) {
            uint32_t i = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits));
            bits &= bits - 1;
            void *object = run->objects + (size_t)i * run->object_size;
            out[taken] = object;
            *guard_mark_word(object) = guard_secret;
            if (i >= run->touched_end)
                run->touched_end = i + 1;
            if (UNLIKELY(run->purged_pages)) { /* resident again once written */
                unsigned first, last;
                object_pages(run, i, &first, &last);
                for (unsigned p = first; p <= last; p++)
                    run->purged_pages &= (uint16_t)~(1u << p);
            }
            taken++;
        }
        run->free_bits[w] = bits;
        if (!bits)
            w++;
    }
    run->scan_word = (uint32_t)w;
    run->free_count -= taken;
    if (run->free_count * 2 < run->capacity)
        run->purge_at = run->capacity / RUN_SPARSE_FRACTION; /* more than half out again */
    return taken;
}

bool run_put(struct run *run, void *object, const char *call)
{
    if (UNLIKELY(!run_is_object_start(run, object)))
        guard_fail(GUARD_INTERIOR_POINTER, call, object);
    uint32_t offset = (uint32_t)((char *)object - run->objects);
    uint32_t i = divide_by_magic(offset, run->magic);
    REF_ASSERT((size_t)i * run->object_size == offset && i < run->capacity);
    uint64_t bit = (uint64_t)1 << (i % 64);
    if (UNLIKELY(run->free_bits[i / 64] & bit))
        guard_fail(GUARD_FREE_OBJECT, call, object);
    run->free_bits[i / 64] |= bit;
    if (i / 64 < run->scan_word)
        run->scan_word = i / 64;
    run->free_count++;
    uint32_t out = run->capacity - run->free_count;
    if (out <= run->purge_at && out > 0) {
        run->purge_at = out / 2;
        return true;
    }
    return false;
}

/* Whether every object overlapping page p (at chunk offsets [start, end))
 * is free. */
static bool page_is_free(const struct run *run, uintptr_t start, uintptr_t end)
{
    uintptr_t first_object = (uintptr_t)(run->objects - (const char *)run);
    uintptr_t lo = start > first_object ? start - first_object : 0;
    uintptr_t hi = end - first_object; /* exclusive, > lo */
    if (hi > run->area)
        hi = run->area;
    uint32_t a = (uint32_t)(lo / run->object_size), b = (uint32_t)((hi - 1) / run->object_size);
    return bitmap_count_range(run->free_bits, a, (size_t)b - a + 1) == (size_t)b - a + 1;
}

void run_purge_sparse(struct run *run)
{
    if (os_page_size() != PAGE_SIZE)
        return;
    uintptr_t first_object = (uintptr_t)(run->objects - (char *)run);
    uintptr_t touched = first_object + (uintptr_t)run->touched_end * run->object_size;
    /* pages wholly past the header and inside the touched object area */
    unsigned first_page = (unsigned)(((uintptr_t)&run->free_bits[BITMAP_WORDS(run->capacity)] -
                                      (uintptr_t)run + PAGE_SIZE - 1) >> PAGE_SHIFT);
    uint16_t free_pages = 0;
    for (unsigned p = first_page; p < PAGES_PER_CHUNK; p++) {
        uintptr_t start = (uintptr_t)p << PAGE_SHIFT, end = start + PAGE_SIZE;
        if (end > first_object && start < touched && !(run->purged_pages & (1u << p)) &&
            page_is_free(run, start, end))
            free_pages |= (uint16_t)(1u << p);
    }
    /* a system call (and, in a huge page, splitting it) costs more than a
     * few pages are worth */
    if (__builtin_popcount(free_pages) < RUN_PURGE_MIN_PAGES)
        return;
    run->purged_pages |= free_pages;
    for (unsigned p = first_page; p < PAGES_PER_CHUNK;) {
        if (!(free_pages & (1u << p))) {
            p++;
            continue;
        }
        unsigned q = p;
        while (q < PAGES_PER_CHUNK && (free_pages & (1u << q)))
            q++;
        os_decommit((char *)run + ((uintptr_t)p << PAGE_SHIFT), (size_t)(q - p) << PAGE_SHIFT);
        p = q;
    }
}

void run_check_invariants(const struct run *run)
{
    (void)run; /* only the debug build looks */
    REF_ASSERT(run_class_of(run) == run->class_index);
    REF_ASSERT(bitmap_count_range(run->free_bits, 0, run->capacity) == run->free_count);
    REF_ASSERT(bitmap_find_set(run->free_bits, 0, (size_t)run->scan_word * 64) == BITMAP_NONE);
    REF_ASSERT(run->touched_end <= run->capacity);
    /* nothing past touched_end was ever handed out */
    REF_ASSERT(bitmap_count_range(run->free_bits, run->touched_end, run->capacity - run->touched_end) ==
               run->capacity - run->touched_end);
}
