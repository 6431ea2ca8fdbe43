/* unit_internals.c - the allocator's pure units (size classes, bitmaps,
 * header placement), compiled on their own so that they can run under
 * AddressSanitizer and UndefinedBehaviorSanitizer: the allocator as a whole
 * cannot, because ASan must own malloc.  Each unit is checked exhaustively
 * or against a naive model. */
#include "test_util.h"

#include "bitmap.h"
#include "chunk.h"
#include "size_class.h"

static void test_size_classes(void)
{
    size_t prev = 0;
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++) {
        size_t s = size_class_size(c);
        CHECK(s > prev, "class %u size %zu not increasing", c, s);
        CHECK(s % 16 == 0, "class %u size %zu not a multiple of 16", c, s);
        CHECK(size_class_of(s) == c, "class_of(size(%u)) = %u", c, size_class_of(s));
        unsigned cap = size_class_run_capacity(c);
        CHECK(cap >= 2 && CHUNK_HEADER_SIZE + (size_t)cap * s <= CHUNK_SIZE, "class %u capacity %u", c, cap);
        unsigned lim = size_class_cache_limit(c);
        CHECK(lim >= TCACHE_MIN_OBJECTS && lim <= TCACHE_MAX_OBJECTS, "class %u cache limit %u", c, lim);
        prev = s;
    }
    for (size_t n = 0; n <= SMALL_MAX && test_failures < 10; n++) {
        unsigned c = size_class_of(n);
        size_t s = size_class_size(c);
        CHECK(c < SIZE_CLASS_COUNT && s >= n && s >= 1, "size %zu -> class %u (%zu)", n, c, s);
        CHECK(c == 0 || size_class_size(c - 1) < n, "size %zu: class %u is not the smallest", n, c);
        if (n > 256 && n <= 8192)
            CHECK((s - n) * 8 < n, "size %zu wastes %zu bytes in class %zu", n, s - n, s);
        if (n > 8192)
            CHECK((s - n) * 2 < n, "size %zu wastes %zu bytes in class %zu", n, s - n, s);
    }
    CHECK(size_class_size(SIZE_CLASS_COUNT - 1) == SMALL_MAX, "last class is SMALL_MAX");
    for (unsigned c = GEOMETRIC_CLASS_COUNT; c < SIZE_CLASS_COUNT; c++)
        CHECK((CHUNK_SIZE - CHUNK_HEADER_SIZE) - (size_t)size_class_run_capacity(c) * size_class_size(c) < 16 * 6,
              "fitted class %u leaves run space unused", c);
    for (size_t s = 16; s <= 8192; s *= 2)
        CHECK(size_class_size(size_class_of(s)) == s, "power of two %zu is a class", s);
    for (size_t align = 32; align <= CHUNK_HEADER_SIZE; align *= 2)
        for (size_t n = 0; n <= SMALL_MAX; n += 7) {
            unsigned c = size_class_for_alignment(n, align);
            CHECK(c < SIZE_CLASS_COUNT || n > 8192, "no class for %zu bytes aligned %zu", n, align);
            if (c < SIZE_CLASS_COUNT)
                CHECK(size_class_size(c) >= n && size_class_size(c) % align == 0,
                      "aligned class for %zu/%zu has size %zu", n, align, size_class_size(c));
        }
    CHECK(size_class_for_alignment(SMALL_MAX + 1, 64) == SIZE_CLASS_COUNT, "too big for a class");
}

static void test_chunk_of(void)
{
    char *chunk = (char *)(uintptr_t)(CHUNK_SIZE * 1000);
    /* small objects and big blocks start past the header, within the chunk */
    CHECK((char *)chunk_of(chunk + CHUNK_HEADER_SIZE) == chunk, "object after header");
    CHECK((char *)chunk_of(chunk + CHUNK_SIZE - 16) == chunk, "last object");
    /* a block aligned to a chunk starts exactly one chunk after its header */
    CHECK((char *)chunk_of(chunk + CHUNK_SIZE) == chunk, "chunk-aligned block");
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
    test_chunk_of();
    test_bitmap();
    return test_finish("unit_internals");
}
