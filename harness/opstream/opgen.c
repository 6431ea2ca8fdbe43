/* opgen.c - turning a workload spec into its op stream (see opstream.h).
 *
 * Generation simulates the workload in one global order: threads take turns
 * (round robin), and every decision (which op, which size, which object to
 * free, which thread frees it) comes from one PRNG seeded with the
 * workload's seed. The result depends on nothing but the spec, so every
 * allocator and every repetition executes the same stream.
 *
 * Layering: opgen.c (whole streams) -> opgen_phase.c (what each phase
 * emits) -> opgen_core.c (bookkeeping); nothing calls back up.
 */
#define _GNU_SOURCE
#include "opgen_core.h"
#include "opgen_phase.h"
#include "xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NONE UINT32_MAX /* as in opgen_core.c: no slot, no thread */

/* ---- the whole stream --------------------------------------------------- */

static void gen_teardown(struct gen *g)
{
    /* Every thread frees what it still owns, oldest first. */
    for (uint32_t t = 0; t < g->thread_count; t++)
        while (g->threads[t].live_count > 0)
            gen_free(g, t, g->threads[t].oldest);
}

static void gen_release(struct gen *g)
{
    for (uint32_t t = 0; t < g->thread_count; t++) {
        free(g->threads[t].ops);
        free(g->threads[t].live);
        free(g->threads[t].free_slots);
    }
    free(g->threads);
    free(g->slots);
}

static uint64_t fnv1a_words(uint64_t h, const void *data, size_t bytes)
{
    const unsigned char *p = data;
    for (size_t i = 0; i + 8 <= bytes; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h ^= w;
        h *= 0x100000001b3ULL;
    }
    for (size_t i = bytes & ~(size_t)7; i < bytes; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void opstream_hash_hex(uint64_t hash, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)hash);
}

/* Copy the per-thread runs into one memfd laid out as opstream.h says. */
static int gen_publish(struct gen *g, const struct workload_spec *w, struct opstream *out,
                       char *errbuf, size_t errlen)
{
    uint64_t all_ops = 0;
    for (uint32_t t = 0; t < g->thread_count; t++)
        all_ops += g->threads[t].op_count;
    size_t bytes = sizeof(struct opstream_header) +
                   g->thread_count * sizeof(struct opstream_thread) + all_ops * sizeof(struct op);

    int fd = memfd_create("allocscope-opstream", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0) {
        snprintf(errbuf, errlen, "op stream memfd (%zu bytes): %s", bytes, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct opstream_header *h = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (h == MAP_FAILED) {
        snprintf(errbuf, errlen, "op stream mmap: %s", strerror(errno));
        close(fd);
        return -1;
    }
    h->magic = OPSTREAM_MAGIC;
    h->version = OPSTREAM_VERSION;
    h->threads = g->thread_count;
    h->total_ops = g->total_ops;
    h->marker_ops = g->marker_ops;
    h->slots = g->slot_count ? g->slot_count : 1;
    h->phase_count = (uint32_t)w->phase_count + (w->teardown ? 1 : 0);
    for (size_t p = 0; p < w->phase_count; p++)
        snprintf(h->phase_names[p], SPEC_MAX_NAME, "%s", w->phases[p].name);
    if (w->teardown)
        snprintf(h->phase_names[w->phase_count], SPEC_MAX_NAME, "teardown");
    h->peak_live_bytes = g->peak_live_bytes;
    h->max_live_objects = g->max_live_objects;
    /* Automatic sampling: about 200 points per run. */
    h->sample_every = w->sample_every ? w->sample_every
                                      : (g->total_ops / 200 > 0 ? g->total_ops / 200 : 1);

    struct opstream_thread *idx = opstream_threads(h);
    struct op *ops = opstream_ops(h);
    uint64_t at = 0;
    for (uint32_t t = 0; t < g->thread_count; t++) {
        idx[t].first_op = at;
        idx[t].op_count = g->threads[t].op_count;
        memcpy(ops + at, g->threads[t].ops, g->threads[t].op_count * sizeof *ops);
        at += g->threads[t].op_count;
    }

    uint64_t hash = 0xcbf29ce484222325ULL;
    uint64_t fields[] = {h->threads, h->total_ops, h->marker_ops, h->slots, h->sample_every,
                         h->phase_count};
    hash = fnv1a_words(hash, fields, sizeof fields);
    hash = fnv1a_words(hash, idx, g->thread_count * sizeof *idx);
    hash = fnv1a_words(hash, ops, all_ops * sizeof *ops);
    h->hash = hash;

    /* The parent keeps a read-only view; workers map their own. */
    mprotect(h, bytes, PROT_READ);
    out->fd = fd;
    out->bytes = bytes;
    out->header = h;
    return 0;
}

int opstream_generate(const struct workload_spec *w, struct opstream *out, char *errbuf,
                      size_t errlen)
{
    struct gen g = {0};
    g.thread_count = w->threads;
    g.threads = calloc(w->threads, sizeof *g.threads);
    if (!g.threads) {
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    for (uint32_t t = 0; t < w->threads; t++)
        g.threads[t].oldest = g.threads[t].youngest = NONE;
    prng_seed(&g.rng, w->seed);

    int rc = 0;
    for (size_t p = 0; p < w->phase_count && rc == 0; p++) {
        rc = gen_phase(&g, w, &w->phases[p], errbuf, errlen);
        gen_phase_end(&g, (uint32_t)p);
    }
    if (rc == 0 && w->teardown) {
        gen_teardown(&g);
        gen_phase_end(&g, (uint32_t)w->phase_count);
    }
    if (rc == 0)
        rc = gen_publish(&g, w, out, errbuf, errlen);
    gen_release(&g);
    return rc;
}

void opstream_close(struct opstream *s)
{
    if (s->header)
        munmap(s->header, s->bytes);
    if (s->fd >= 0)
        close(s->fd);
    s->header = NULL;
    s->fd = -1;
}
