/* break_blocked.c - when the program break cannot move, the allocator
 * falls back to mapped regions and reuses them: allocating and freeing the
 * same working set again takes (almost) no new page faults and no new
 * mappings, and the heap still works (contents, alignment, realloc).
 * A mapping placed right after the current break blocks brk before the
 * allocator's first allocation (its constructor allocates nothing).
 * Witnesses: getrusage's minor faults and /proc/self/maps.
 */
#include "test_util.h"

#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>

static long minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static int mapping_count(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        FATAL("cannot read /proc/self/maps");
    int n = 0, c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

enum { OBJECTS = 3000, ROUNDS = 5 };
static void *objects[OBJECTS];

/* One round: a working set of small objects and spans, written, checked, freed. */
static void round_trip(unsigned round)
{
    for (int i = 0; i < OBJECTS; i++) {
        size_t n = i % 50 == 0 ? 200000 + (size_t)i * 13 : 16 + (size_t)(i * 37) % 3000;
        objects[i] = i % 7 == 0 ? aligned_alloc(64, (n + 63) & ~(size_t)63) : malloc(n);
        if (!objects[i])
            FATAL("allocation failed with the break blocked");
        fill_pattern(objects[i], n < 256 ? n : 256, (uint64_t)i + round);
    }
    for (int i = 0; i < OBJECTS; i += 3) {
        size_t n = i % 50 == 0 ? 200000 + (size_t)i * 13 : 16 + (size_t)(i * 37) % 3000;
        size_t keep = n < 256 ? n : 256;
        char *q = realloc(objects[i], n + 5000);
        CHECK(q && check_pattern(q, keep, (uint64_t)i + round) == keep, "realloc lost contents");
        objects[i] = q;
    }
    for (int i = 0; i < OBJECTS; i++)
        free(objects[i]);
}

int main(void)
{
    check_expected_allocator();
    long page = sysconf(_SC_PAGESIZE);
    char *brk_now = sbrk(0);
    char *block = (char *)(((uintptr_t)brk_now + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1)) + page;
    if (mmap(block, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != block)
        FATAL("cannot place a mapping after the break");
    CHECK(sbrk(2 * page) == (void *)-1, "the break still moves past the blocking mapping");

    round_trip(0); /* the first round maps what the heap needs */
    long faults = minor_faults();
    int maps = mapping_count();
    for (unsigned r = 1; r <= ROUNDS; r++)
        round_trip(r);
    faults = minor_faults() - faults;
    int new_maps = mapping_count() - maps;
    printf("break blocked: %d rounds after the first took %ld page faults, %d new mappings\n", ROUNDS, faults,
           new_maps);
    if (reference_is_loaded()) {
        CHECK(new_maps <= 2, "%d new mappings: mapped regions are not reused", new_maps);
        CHECK(faults < 2000, "%ld page faults re-allocating the same working set", faults);
    }
    CHECK((char *)sbrk(0) == brk_now, "the break moved");
    return test_finish("break_blocked");
}
