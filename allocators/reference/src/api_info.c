/* api_info.c - the exported tuning and reporting interface: mallopt,
 * malloc_trim, mallinfo, mallinfo2, malloc_stats, malloc_info.
 *
 * What the figures mean here (glibc's fields, this allocator's state):
 *   arena     bytes of the break region and of mapped regions (this
 *             allocator never maps single blocks, so hblks/hblkhd are 0)
 *   uordblks  bytes in use: objects out of their runs (with the program or
 *             in thread caches), whole class sizes, plus spans
 *   fordblks  arena - uordblks: free chunks, free objects, run headers
 *   ordblks   free chunks;  fsmblks  bytes of free objects in runs
 *   keepcost  free bytes at the top of the break (what trimming returns)
 * Statistics are gathered lock by lock, so in a busy process they are a
 * close, not an atomic, picture.  Printing happens after gathering, with
 * no lock held (stdio may allocate).
 */
#define _GNU_SOURCE
#include "api.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "central.h"
#include "debug.h"
#include "heap.h"
#include "os.h"
#include "size_class.h"
#include "thread_cache.h"

#ifndef REFERENCE_VERSION
#define REFERENCE_VERSION "unknown"
#endif

struct snapshot {
    struct heap_stats heap;
    struct class_stats classes[SIZE_CLASS_COUNT];
    struct os_stats os;
    size_t in_use, free_in_runs, free_objects;
};

static void take_snapshot(struct snapshot *s)
{
    s->heap = heap_stats();
    s->os = os_stats();
    s->in_use = s->heap.span_bytes;
    s->free_in_runs = s->free_objects = 0;
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++) {
        struct class_stats *k = &s->classes[c];
        *k = central_class_stats(c);
        s->in_use += k->objects_out * size_class_size(c);
        s->free_objects += k->capacity - k->objects_out;
        s->free_in_runs += (k->capacity - k->objects_out) * size_class_size(c);
    }
}

static size_t arena_bytes(const struct snapshot *s)
{
    return s->heap.break_bytes + s->heap.mapped_bytes;
}

/* M_TRIM_THRESHOLD: keep at most that many bytes of free top and of
 * resident free chunks (instead of the decay policy alone); M_MMAP_THRESHOLD:
 * freed spans longer than that are given back at once (fixing the adaptive
 * bound, as glibc fixes its threshold).  Anything else is not supported
 * here and returns 0, as mallopt does for an error. */
EXPORT int REF_NAME(mallopt)(int param, int value)
{
    if (param == M_TRIM_THRESHOLD && value >= 0) {
        heap_set_trim_threshold((size_t)value);
        return 1;
    }
    if (param == M_MMAP_THRESHOLD && value >= 0) {
        heap_set_large_keep((size_t)value);
        return 1;
    }
    return 0;
}

/* Returns the calling thread's cached objects and every free chunk to the
 * OS; 1 if any memory was released.  `pad` is ignored. */
EXPORT int REF_NAME(malloc_trim)(size_t pad)
{
    (void)pad;
    tc_flush();
    return heap_trim() > 0;
}

EXPORT struct mallinfo2 REF_NAME(mallinfo2)(void)
{
    struct snapshot s;
    take_snapshot(&s);
    struct mallinfo2 mi;
    memset(&mi, 0, sizeof mi);
    mi.arena = arena_bytes(&s);
    mi.ordblks = s.heap.free_bytes / CHUNK_SIZE;
    mi.uordblks = s.in_use;
    mi.fordblks = mi.arena - mi.uordblks;
    mi.fsmblks = s.free_in_runs;
    mi.keepcost = s.heap.top_free_bytes;
    return mi;
}

static int clamp_int(size_t v)
{
    return v > INT_MAX ? INT_MAX : (int)v;
}

EXPORT struct mallinfo REF_NAME(mallinfo)(void)
{
    struct mallinfo2 m2 = REF_NAME(mallinfo2)();
    struct mallinfo mi;
    memset(&mi, 0, sizeof mi);
    mi.arena = clamp_int(m2.arena);
    mi.ordblks = clamp_int(m2.ordblks);
    mi.uordblks = clamp_int(m2.uordblks);
    mi.fordblks = clamp_int(m2.fordblks);
    mi.fsmblks = clamp_int(m2.fsmblks);
    mi.keepcost = clamp_int(m2.keepcost);
    return mi;
}

/* glibc's layout (tools parse it), then this allocator's own lines; to
 * stderr with write(2), as glibc does, allocating nothing. */
EXPORT void REF_NAME(malloc_stats)(void)
{
    struct snapshot s;
    take_snapshot(&s);
    char buf[1024];
    int n = snprintf(buf, sizeof buf,
                     "Arena 0:\n"
                     "system bytes     = %10zu\n"
                     "in use bytes     = %10zu\n"
                     "Total (incl. mmap):\n"
                     "system bytes     = %10zu\n"
                     "in use bytes     = %10zu\n"
                     "max mmap regions = %10d\n"
                     "max mmap bytes   = %10d\n"
                     "allocscope_reference %s:\n"
                     "break bytes      = %10zu\n"
                     "mapped bytes     = %10zu (%zu regions)\n"
                     "peak bytes       = %10zu\n"
                     "free chunk bytes = %10zu (%zu resident)\n"
                     "span bytes       = %10zu (%zu spans)\n"
                     "free object bytes= %10zu (%zu objects)\n"
                     "purged bytes     = %10zu (madvise %llu calls)\n"
                     "trimmed bytes    = %10zu (brk %llu calls)\n",
                     arena_bytes(&s), s.in_use, arena_bytes(&s), s.in_use, 0, 0, REFERENCE_VERSION,
                     s.heap.break_bytes, s.heap.mapped_bytes, s.heap.mapped_regions, s.heap.peak_bytes,
                     s.heap.free_bytes, s.heap.dirty_bytes, s.heap.span_bytes, s.heap.spans, s.free_in_runs,
                     s.free_objects, s.heap.purged_bytes, (unsigned long long)s.os.madvise_calls,
                     s.heap.trimmed_bytes, (unsigned long long)s.os.brk_calls);
    if (n > 0) {
        ssize_t ignored = write(STDERR_FILENO, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
        (void)ignored;
    }
}

/* XML in glibc's vocabulary: <sizes> lists, per size class, the free
 * objects in runs; <reference> adds the state glibc has no words for. */
EXPORT int REF_NAME(malloc_info)(int options, FILE *fp)
{
    if (options != 0) {
        errno = EINVAL;
        return -1;
    }
    struct snapshot s;
    take_snapshot(&s);
    size_t arena = arena_bytes(&s);
    int bad = 0;
    bad |= fprintf(fp, "<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n") < 0;
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++) {
        const struct class_stats *k = &s.classes[c];
        size_t free_objects = k->capacity - k->objects_out, size = size_class_size(c);
        if (k->runs)
            bad |= fprintf(fp,
                           "  <size from=\"%zu\" to=\"%zu\" total=\"%zu\" count=\"%zu\""
                           " runs=\"%zu\" out=\"%zu\" touched=\"%zu\" purged_pages=\"%zu\"/>\n",
                           c ? size_class_size(c - 1) + 1 : 1, size, free_objects * size, free_objects,
                           k->runs, k->objects_out, k->touched_objects, k->purged_pages) < 0;
    }
    bad |= fprintf(fp,
                   "</sizes>\n"
                   "<total type=\"fast\" count=\"0\" size=\"0\"/>\n"
                   "<total type=\"rest\" count=\"%zu\" size=\"%zu\"/>\n"
                   "<system type=\"current\" size=\"%zu\"/>\n"
                   "<system type=\"max\" size=\"%zu\"/>\n"
                   "<aspace type=\"total\" size=\"%zu\"/>\n"
                   "<aspace type=\"mprotect\" size=\"%zu\"/>\n"
                   "</heap>\n"
                   "<total type=\"fast\" count=\"0\" size=\"0\"/>\n"
                   "<total type=\"rest\" count=\"%zu\" size=\"%zu\"/>\n"
                   "<total type=\"mmap\" count=\"0\" size=\"0\"/>\n"
                   "<system type=\"current\" size=\"%zu\"/>\n"
                   "<system type=\"max\" size=\"%zu\"/>\n"
                   "<aspace type=\"total\" size=\"%zu\"/>\n"
                   "<aspace type=\"mprotect\" size=\"%zu\"/>\n"
                   "<reference version=\"%s\" break=\"%zu\" mapped=\"%zu\" mapped_regions=\"%zu\""
                   " free_chunks=\"%zu\" dirty=\"%zu\" spans=\"%zu\" span_bytes=\"%zu\""
                   " in_use=\"%zu\" purged=\"%zu\" trimmed=\"%zu\" brk_calls=\"%llu\""
                   " mmap_calls=\"%llu\" munmap_calls=\"%llu\" madvise_calls=\"%llu\"/>\n"
                   "</malloc>\n",
                   s.free_objects, s.free_in_runs + s.heap.free_bytes, arena, s.heap.peak_bytes, arena,
                   arena, s.free_objects, s.free_in_runs + s.heap.free_bytes, arena, s.heap.peak_bytes,
                   arena, arena, REFERENCE_VERSION, s.heap.break_bytes, s.heap.mapped_bytes,
                   s.heap.mapped_regions, s.heap.free_bytes / CHUNK_SIZE, s.heap.dirty_bytes, s.heap.spans,
                   s.heap.span_bytes, s.in_use, s.heap.purged_bytes, s.heap.trimmed_bytes,
                   (unsigned long long)s.os.brk_calls, (unsigned long long)s.os.mmap_calls,
                   (unsigned long long)s.os.munmap_calls, (unsigned long long)s.os.madvise_calls) < 0;
    return bad ? -1 : 0;
}

EXPORT const char *allocscope_reference_version(void)
{
    return REFERENCE_VERSION;
}

EXPORT unsigned long allocscope_reference_debug_checks(void)
{
    return debug_checks_run();
}
