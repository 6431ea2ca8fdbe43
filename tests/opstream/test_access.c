/* Access phases: every pass visits exactly the live objects of each thread
 * at the phase start, in the order the pattern states, checked by an
 * independent replay of the stream (live sets, owners and allocation order
 * rebuilt from the alloc/free ops alone); the totals the worker is checked
 * against (count, op_access_check) are those of the stream. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opstream.h"
#include "spec.h"
#include "stream_collect.h"

#include "check_msg.h"

static struct size_dist uniform(uint64_t lo, uint64_t hi)
{
    return (struct size_dist){.kind = SIZE_UNIFORM, .lo = lo, .hi = hi, .clamp_min = lo,
                              .clamp_max = hi};
}

/* A churn phase that reuses slots (random frees), so slot order, allocation
 * order and the live array's order all differ. */
static struct phase_spec fill_phase(uint64_t live)
{
    struct phase_spec p = {.name = "fill", .kind = PHASE_CHURN, .ops = live * 3,
                           .sizes = uniform(8, 200), .free_order = FREE_RANDOM,
                           .touch = TOUCH_FIRST, .align = 64, .realloc_min = 0.5,
                           .realloc_max = 2.0, .live_objects = live};
    p.mix[MIX_MALLOC] = 1;
    p.mix[MIX_REALLOC] = 0.2;
    p.mix[MIX_FREE] = 1;
    return p;
}

static struct phase_spec access_phase(const char *name, enum access_pattern pat, uint64_t passes,
                                      uint64_t bytes, bool write)
{
    return (struct phase_spec){.name = (char *)name, .kind = PHASE_ACCESS,
                               .access_pattern = pat, .access_passes = passes,
                               .access_bytes = bytes, .access_write = write};
}

struct merged {
    struct op op;
    uint32_t thread;
};

static int by_gidx(const void *a, const void *b)
{
    const struct merged *x = a, *y = b;
    return x->op.gidx < y->op.gidx ? -1 : x->op.gidx > y->op.gidx;
}

struct slot_state {
    bool live;
    uint32_t owner;
    uint64_t born; /* allocation sequence */
    uint64_t size;
};

/* Replay `w` and check every access phase; returns the accesses seen. */
static uint64_t check_workload(const struct workload_spec *w, size_t chunk_ops)
{
    struct collected col;
    collect(w, chunk_ops, &col);
    size_t total = 0;
    for (uint32_t t = 0; t < col.threads; t++)
        total += col.count[t];
    struct merged *all = malloc(total * sizeof *all);
    size_t k = 0;
    for (uint32_t t = 0; t < col.threads; t++)
        for (size_t i = 0; i < col.count[t]; i++)
            all[k++] = (struct merged){col.ops[t][i], t};
    qsort(all, total, sizeof *all, by_gidx);

    struct slot_state *slots = calloc(col.totals.slots, sizeof *slots);
    uint64_t born = 0, accesses = 0, check[OPWINDOW_MAX_THREADS] = {0};
    size_t phase = 0, i = 0;
    while (i < total) {
        /* One phase: ops up to its markers. */
        size_t end = i;
        while (end < total && all[end].op.kind != OP_PHASE_END)
            end++;
        const struct phase_spec *p = phase < w->phase_count ? &w->phases[phase] : NULL;
        if (p && p->kind == PHASE_ACCESS) {
            for (uint32_t t = 0; t < col.threads; t++) {
                /* The thread's live objects at the phase start, by the replay. */
                size_t n = 0;
                for (uint64_t s = 0; s < col.totals.slots; s++)
                    n += slots[s].live && slots[s].owner == t;
                uint32_t *seen = malloc((n ? n : 1) * sizeof *seen);
                size_t got = 0, pass = 0;
                bool differs = false;
                uint32_t *first_pass = malloc((n ? n : 1) * sizeof *first_pass);
                char *visited = calloc(col.totals.slots, 1);
                for (size_t j = i; j < end; j++) {
                    const struct op *op = &all[j].op;
                    if (all[j].thread != t)
                        continue;
                    CHECK(op->kind == OP_ACCESS, "phase %s: op kind %u in an access phase",
                          p->name, op->kind);
                    CHECK(op->slot < col.totals.slots && slots[op->slot].live,
                          "phase %s: access to dead slot %u", p->name, op->slot);
                    CHECK(slots[op->slot].owner == t, "phase %s: thread %u reads thread %u's "
                          "object", p->name, t, slots[op->slot].owner);
                    uint64_t want = p->access_bytes < slots[op->slot].size
                                        ? p->access_bytes : slots[op->slot].size;
                    CHECK(op->size == want, "access size %llu, want %llu",
                          (unsigned long long)op->size, (unsigned long long)want);
                    CHECK(op->touch == (p->access_write ? OP_ACCESS_WRITE : OP_ACCESS_READ),
                          "access mode");
                    check[t] = op_access_check(check[t], op->slot);
                    accesses++;
                    CHECK(!visited[op->slot], "phase %s pass %zu: slot %u visited twice",
                          p->name, pass, op->slot);
                    visited[op->slot] = 1;
                    seen[got++] = op->slot;
                    if (got == n) { /* a pass is complete: check its order */
                        for (size_t a = 1; a < n; a++) {
                            if (p->access_pattern == ACCESS_SEQUENTIAL)
                                CHECK(seen[a - 1] < seen[a], "sequential: slot %u before %u",
                                      seen[a - 1], seen[a]);
                            if (p->access_pattern == ACCESS_ALLOCATION_ORDER)
                                CHECK(slots[seen[a - 1]].born < slots[seen[a]].born,
                                      "allocation order: slot %u (born %llu) before %u (%llu)",
                                      seen[a - 1], (unsigned long long)slots[seen[a - 1]].born,
                                      seen[a], (unsigned long long)slots[seen[a]].born);
                        }
                        if (pass == 0)
                            memcpy(first_pass, seen, n * sizeof *seen);
                        else if (memcmp(first_pass, seen, n * sizeof *seen) != 0)
                            differs = true;
                        pass++;
                        got = 0;
                        memset(visited, 0, col.totals.slots);
                    }
                }
                CHECK(got == 0 && pass == (n ? p->access_passes : 0),
                      "phase %s thread %u: %zu whole passes (+%zu) over %zu live objects, "
                      "want %llu", p->name, t, pass, got, n,
                      (unsigned long long)p->access_passes);
                if (p->access_pattern == ACCESS_RANDOM && p->access_passes > 1 && n > 16)
                    CHECK(differs, "random: every pass in the same order");
                if (p->access_pattern != ACCESS_RANDOM && p->access_passes > 1)
                    CHECK(!differs, "a fixed order changed between passes");
                free(seen);
                free(first_pass);
                free(visited);
            }
        } else {
            for (size_t j = i; j < end; j++) {
                const struct op *op = &all[j].op;
                struct slot_state *s = &slots[op->slot];
                switch (op->kind) {
                case OP_FREE:
                    s->live = false;
                    break;
                case OP_REALLOC:
                    s->size = op_realloc_new_size(op);
                    break;
                case OP_ACCESS:
                    CHECK(0, "access op outside an access phase");
                    break;
                default:
                    *s = (struct slot_state){true, all[j].thread, born++, op->size};
                }
            }
        }
        /* Skip this phase's markers (one per thread). */
        i = end;
        while (i < total && all[i].op.kind == OP_PHASE_END)
            i++;
        phase++;
    }
    uint64_t sum = 0;
    for (uint32_t t = 0; t < col.threads; t++)
        sum += check[t];
    CHECK(col.totals.access_ops == accesses, "totals: %llu accesses, replay %llu",
          (unsigned long long)col.totals.access_ops, (unsigned long long)accesses);
    CHECK(col.totals.access_check == sum, "totals: access check differs from the replay's");
    uint64_t allocs = 0;
    for (int kind = OP_MALLOC; kind <= OP_FREE; kind++)
        allocs += col.totals.kind_counts[kind];
    CHECK(col.totals.ops == allocs, "accesses are not counted as ops: %llu vs %llu",
          (unsigned long long)col.totals.ops, (unsigned long long)allocs);
    free(slots);
    free(all);
    collect_free(&col);
    return accesses;
}

static void test_patterns(uint32_t threads)
{
    struct phase_spec phases[] = {
        fill_phase(3000),
        access_phase("random", ACCESS_RANDOM, 3, 64, false),
        access_phase("sequential", ACCESS_SEQUENTIAL, 2, 16, true),
        access_phase("allocation", ACCESS_ALLOCATION_ORDER, 2, 4096, false),
    };
    struct workload_spec w = {.name = "access", .seed = 11, .threads = threads, .timeout_s = 60,
                              .teardown = true, .phases = phases,
                              .phase_count = sizeof phases / sizeof phases[0],
                              .cross_thread_free = threads > 1 ? 0.3 : 0};
    uint64_t a = check_workload(&w, 0);
    CHECK(a >= 3000 * 7 * 95 / 100, "%u threads: %llu accesses for ~3000 live x 7 passes",
          threads, (unsigned long long)a);
    /* Chunks cut elsewhere: the same stream. */
    struct opgen_totals t1, t2;
    char err[256];
    CHECK(opstream_totals(&w, &t1, err, sizeof err) == 0, "%s", err);
    struct collected small;
    collect(&w, 1000, &small);
    t2 = small.totals;
    collect_free(&small);
    CHECK(t1.hash == t2.hash && t1.access_check == t2.access_check,
          "chunk size changes the access stream");
    check_workload(&w, 1000);
    /* Another seed, another random order; the fixed orders stay fixed. */
    w.seed = 12;
    CHECK(opstream_totals(&w, &t2, err, sizeof err) == 0 && t2.access_check != t1.access_check,
          "a different seed must give a different walk");
}

int main(void)
{
    test_patterns(1);
    test_patterns(3);
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
