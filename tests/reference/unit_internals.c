/* unit_internals.c - the allocator's pure units (size classes and run
 * layout, the division and object-boundary arithmetic, bitmaps), compiled
 * on their own so that they can run under AddressSanitizer and
 * UndefinedBehaviorSanitizer: the allocator as a whole cannot, because
 * ASan must own malloc.  Each unit is checked exhaustively or against a
 * naive model. */
#include "test_util.h"

#include "bitmap.h"
#include "run.h"
#include "size_class.h"

uintptr_t guard_secret = 0x9e3779b97f4a7c15u; /* run.h's object test reads no secret */

static void test_size_classes(void)
{
    size_t prev = 0;
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++) {
        size_t s = size_class_size(c);
        CHECK(s > prev, "class %u size %zu not increasing", c, s);
        CHECK(s % 16 == 0, "class %u size %zu not a multiple of 16", c, s);
        CHECK(size_class_of(s) == c, "class_of(size(%u)) = %u", c, size_class_of(s));
        unsigned lim = size_class_cache_limit(c);
        CHECK(lim >= TCACHE_MIN_OBJECTS && lim <= TCACHE_MAX_OBJECTS, "class %u cache limit %u", c, lim);
        prev = s;
    }
    for (size_t n = 0; n <= SMALL_MAX && test_failures < 10; n++) {
        unsigned c = size_class_of(n);
        size_t s = size_class_size(c);
        CHECK(c < SIZE_CLASS_COUNT && s >= n && s >= 1, "size %zu -> class %u (%zu)", n, c, s);
        CHECK(c == 0 || size_class_size(c - 1) < n, "size %zu: class %u is not the smallest", n, c);
        if (n <= 256)
            CHECK(s - n < 16 || n == 0, "size %zu wastes %zu bytes in class %zu", n, s - n, s);
        else if (n <= 4096)
            CHECK((s - n) * 8 < n, "size %zu wastes %zu bytes in class %zu", n, s - n, s);
        else
            CHECK((s - n) * 16 < n, "size %zu wastes %zu bytes in class %zu", n, s - n, s);
    }
    CHECK(size_class_size(SIZE_CLASS_COUNT - 1) == SMALL_MAX, "last class is SMALL_MAX");
    for (size_t s = 16; s <= 16384; s *= 2)
        CHECK(size_class_size(size_class_of(s)) == s, "power of two %zu is a class", s);
    for (size_t align = 32; align <= 16384 && test_failures < 10; align *= 2)
        for (size_t n = 0; n <= SMALL_MAX && test_failures < 10; n += 7) {
            unsigned c = size_class_for_alignment(n, align), model = SIZE_CLASS_COUNT;
            for (unsigned k = size_class_of(n); align <= RUN_ALIGN_MAX && k < SIZE_CLASS_COUNT && model == SIZE_CLASS_COUNT; k++)
                if (size_class_size(k) % align == 0)
                    model = k;
            CHECK(c == model, "class %u for %zu bytes aligned %zu, expected %u", c, n, align, model);
            if (c < SIZE_CLASS_COUNT)
                CHECK(size_class_size(c) >= n && size_class_size(c) % align == 0 &&
                          run_first_offset(c) % align == 0,
                      "aligned class for %zu/%zu has size %zu", n, align, size_class_size(c));
        }
    CHECK(size_class_for_alignment(SMALL_MAX + 1, 64) == SIZE_CLASS_COUNT, "too big for a class");
}

/* Run layout: the header and its bitmap fit before the first object, the
 * objects fit in the chunk, and every object is aligned to the class's
 * alignment (which is what serves memalign from classes). */
static void test_run_layout(void)
{
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++) {
        size_t size = size_class_size(c), first = run_first_offset(c), align = size_class_alignment(c);
        unsigned cap = run_capacity(c);
        CHECK(cap >= 2, "class %u holds %u objects per run", c, cap);
        CHECK(RUN_HEADER_FIXED + BITMAP_WORDS(cap) * 8 <= first, "class %u: bitmap overlaps objects", c);
        CHECK(first + (size_t)cap * size <= CHUNK_SIZE, "class %u: objects overflow the chunk", c);
        CHECK(first % align == 0 && size % align == 0 && align >= 16, "class %u alignment %zu", c, align);
        /* the bitmap and the alignment cost at most 1% of the objects (+1)
         * over a bare fixed header */
        size_t bare = (CHUNK_SIZE - RUN_HEADER_FIXED) / size;
        CHECK((bare - cap) * 100 <= bare + 100, "class %u: %u objects, a bare header would fit %zu", c, cap, bare);
    }
}

/* The multiply-shift division and the object-boundary test, exhaustively
 * over every offset a chunk can hold, for every class. */
static void test_object_arithmetic(void)
{
    /* a chunk-aligned header, as every run has */
    struct run *run = aligned_alloc(CHUNK_SIZE, CHUNK_SIZE);
    if (!run)
        FATAL("aligned_alloc");
    for (unsigned c = 0; c < SIZE_CLASS_COUNT && test_failures < 10; c++) {
        uint32_t size = (uint32_t)size_class_size(c), magic = size_class_divisor_magic(c);
        for (uint32_t n = 0; n < CHUNK_SIZE; n++)
            if (divide_by_magic(n, magic) != n / size) {
                CHECK(0, "class %u: %u / %u = %u by magic", c, n, size, divide_by_magic(n, magic));
                break;
            }
        size_t first = run_first_offset(c);
        run->objects = (char *)run + first;
        run->area = run_capacity(c) * size;
        run->magic = magic;
        run->first_offset = (uint16_t)first;
        run->start_limit = size_class_start_limit(c, run_capacity(c));
        for (size_t offset = 1; offset <= CHUNK_SIZE; offset++) {
            const char *p = (const char *)run + offset;
            bool expected = offset >= first && offset - first < run->area && (offset - first) % size == 0;
            if (run_is_object_start(run, p) != expected) {
                CHECK(0, "class %u: offset %zu is%s an object start", c, offset, expected ? "" : " not");
                break;
            }
        }
    }
    free(run);
}

/* The bitmap against a plain array of booleans. */
enum { BITS = 1000 };
static uint64_t map[BITMAP_WORDS(BITS)];
static bool model[BITS];

static size_t model_find(size_t from, size_t limit, bool value)
{
    for (size_t i = from; i < limit; i++)
        if (model[i] == value)
            return i;
    return BITMAP_NONE;
}

static size_t model_find_run(size_t from, size_t limit, size_t count)
{
    for (size_t i = from; i + count <= limit; i++) {
        size_t k = 0;
        while (k < count && model[i + k])
            k++;
        if (k == count)
            return i;
    }
    return BITMAP_NONE;
}

static size_t model_find_run_aligned(size_t from, size_t limit, size_t count, size_t align, size_t phase)
{
    for (size_t i = from; i + count <= limit; i++) {
        if ((i + phase) % align)
            continue;
        size_t k = 0;
        while (k < count && model[i + k])
            k++;
        if (k == count)
            return i;
    }
    return BITMAP_NONE;
}

static size_t model_find_best_run(size_t from, size_t limit, size_t count, size_t align, size_t phase)
{
    size_t best = BITMAP_NONE, best_length = SIZE_MAX;
    for (size_t i = from; i < limit;) {
        if (!model[i]) {
            i++;
            continue;
        }
        size_t end = i;
        while (end < limit && model[end])
            end++;
        size_t start = i;
        while ((start + phase) % align)
            start++;
        if (start < end && end - start >= count && end - start < best_length) {
            best = start;
            best_length = end - start;
        }
        i = end;
    }
    return best;
}

static void test_bitmap(void)
{
    uint64_t r = 12345;
    for (int step = 0; step < 20000; step++) {
        r = mix64(r + (uint64_t)step);
        size_t a = r % BITS, b = (r >> 16) % BITS;
        size_t start = a < b ? a : b, end = a < b ? b : a;
        /* keep runs short so searches have something to find */
        if (end - start > 40 && (r >> 40) % 4)
            end = start + (r >> 44) % 40;
        switch ((r >> 32) % 3) {
        case 0:
            bitmap_set_range(map, start, end - start);
            for (size_t i = start; i < end; i++)
                model[i] = true;
            break;
        case 1:
            bitmap_clear_range(map, start, end - start);
            for (size_t i = start; i < end; i++)
                model[i] = false;
            break;
        default:
            break;
        }
        size_t count = 0;
        for (size_t i = start; i < end; i++)
            count += model[i];
        CHECK(bitmap_count_range(map, start, end - start) == count, "count [%zu,%zu)", start, end);
        CHECK(bitmap_find_set(map, start, end) == model_find(start, end, true), "find_set");
        CHECK(bitmap_find_clear(map, start, end) == model_find(start, end, false), "find_clear");
        size_t last = BITMAP_NONE;
        for (size_t i = end; i-- > 0;)
            if (model[i]) {
                last = i;
                break;
            }
        CHECK(bitmap_find_last_set(map, end) == last, "find_last_set(%zu)", end);
        size_t want = 1 + (r >> 50) % 12;
        CHECK(bitmap_find_set_run(map, start, BITS, want) == model_find_run(start, BITS, want),
              "find_set_run(%zu, %zu)", start, want);
        size_t align = (size_t)1 << ((r >> 56) % 4), phase = (r >> 20) % 7;
        CHECK(bitmap_find_set_run_aligned(map, start, BITS, want, align, phase) ==
                  model_find_run_aligned(start, BITS, want, align, phase),
              "find_set_run_aligned(%zu, %zu, %zu, %zu)", start, want, align, phase);
        CHECK(bitmap_find_best_run(map, start, BITS, want, align, phase) ==
                  model_find_best_run(start, BITS, want, align, phase),
              "find_best_run(%zu, %zu, %zu, %zu)", start, want, align, phase);
        size_t before = 0;
        while (before < end && model[end - 1 - before])
            before++;
        CHECK(bitmap_set_run_before(map, end) == before, "set_run_before(%zu)", end);
        for (size_t i = 0; i < BITS; i += 97)
            CHECK(bitmap_test(map, i) == model[i], "bit %zu", i);
        if (test_failures > 10)
            break;
    }
}

int main(void)
{
    test_size_classes();
    test_run_layout();
    test_object_arithmetic();
    test_bitmap();
    return test_finish("unit_internals");
}
