/* opgen_phase.c - the ops each kind of phase emits (churn, free, script).
 * Bookkeeping (slots, live sets, wait flags) lives in opgen_core.c. */
#include "opgen_phase.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum op_kind mix_to_op(enum mix_op m)
{
    switch (m) {
    case MIX_CALLOC:
        return OP_CALLOC;
    case MIX_REALLOC:
        return OP_REALLOC;
    case MIX_POSIX_MEMALIGN:
        return OP_POSIX_MEMALIGN;
    case MIX_ALIGNED_ALLOC:
        return OP_ALIGNED_ALLOC;
    case MIX_FREE:
        return OP_FREE;
    case MIX_MALLOC:
    case MIX_COUNT:
        break;
    }
    return OP_MALLOC;
}

/* The sums of a phase's mix weights, with and without free (summed in the
 * same order as ever, so draws are unchanged). */
static void mix_totals(const struct phase_spec *p, double totals[2])
{
    totals[0] = totals[1] = 0;
    for (int m = 0; m < MIX_COUNT; m++) {
        totals[1] += p->mix[m];
        if (m != MIX_FREE)
            totals[0] += p->mix[m];
    }
}

/* Weighted choice among mix entries; `with_free` = false leaves out free.
 * totals: from mix_totals. */
static enum mix_op pick_mix(struct gen *g, const struct phase_spec *p, const double totals[2],
                            int with_free)
{
    double x = prng_unit(&g->rng) * totals[with_free];
    for (int m = 0; m < MIX_COUNT; m++) {
        if (!with_free && m == MIX_FREE)
            continue;
        if (x < p->mix[m])
            return (enum mix_op)m;
        x -= p->mix[m];
    }
    return MIX_MALLOC; /* rounding at the top end */
}

static uint64_t round_up(uint64_t v, uint64_t align)
{
    return (v + align - 1) & ~(align - 1);
}

/* Which thread executes the free of an object owned by `owner`. */
static uint32_t free_runner(struct gen *g, const struct workload_spec *w, uint32_t owner)
{
    if (w->pattern == THREADS_PRODUCER_CONSUMER) {
        uint32_t producers = w->threads / 2, consumers = w->threads - producers;
        uint32_t c = producers + g->next_consumer;
        g->next_consumer = (g->next_consumer + 1) % consumers;
        return c;
    }
    if (w->threads > 1 && w->cross_thread_free > 0 &&
        prng_unit(&g->rng) < w->cross_thread_free) {
        uint32_t other = (uint32_t)prng_below(&g->rng, w->threads - 1);
        return other >= owner ? other + 1 : other;
    }
    return owner;
}

static void emit_allocation(struct gen *g, uint32_t t, const struct phase_spec *p,
                            const struct size_sampler *sizes, enum op_kind kind)
{
    uint64_t size = size_sampler_draw(sizes, &g->rng);
    if (kind == OP_ALIGNED_ALLOC)
        size = round_up(size, p->align); /* C11: size must be a multiple */
    gen_alloc(g, t, kind, size, p->align, p->touch, gen_new_slot(g, t));
}

static void emit_realloc(struct gen *g, uint32_t t, const struct phase_spec *p)
{
    uint32_t slot = gen_pick_victim(g, t, FREE_RANDOM);
    double f = p->realloc_min + (p->realloc_max - p->realloc_min) * prng_unit(&g->rng);
    double next = (double)g->slots[slot].size * f;
    uint64_t size = next < 1 ? 1 : (uint64_t)llround(next);
    if (size > SPEC_MAX_OBJECT_SIZE)
        size = SPEC_MAX_OBJECT_SIZE;
    gen_realloc(g, t, slot, size, p->touch);
}

static int below_target(const struct gen *g, const struct phase_spec *p)
{
    if (p->live_objects)
        return g->live_objects < p->live_objects;
    return g->live_bytes < p->live_bytes;
}

/* One op of a churn phase for thread t (never a consumer). */
static void churn_step(struct gen *g, const struct workload_spec *w, const struct phase_spec *p,
                       const struct size_sampler *sizes, const double totals[2], uint32_t t)
{
    int has_target = p->live_objects || p->live_bytes;
    int own = g->threads[t].live_count > 0;
    enum mix_op m;
    if (p->free_order == FREE_NEVER)
        m = pick_mix(g, p, totals, 0);
    else if (has_target)
        m = below_target(g, p) ? pick_mix(g, p, totals, 0) : MIX_FREE;
    else
        m = pick_mix(g, p, totals, 1);

    if ((m == MIX_FREE || m == MIX_REALLOC) && !own)
        m = MIX_MALLOC; /* nothing of its own to free or grow yet */
    if (m == MIX_FREE) {
        uint32_t victim = gen_pick_victim(g, t, p->free_order);
        gen_free(g, free_runner(g, w, t), victim);
    } else if (m == MIX_REALLOC) {
        emit_realloc(g, t, p);
    } else {
        emit_allocation(g, t, p, sizes, mix_to_op(m));
    }
}

/* ---- the phases, resumable ------------------------------------------------ */

static bool churn_emit(struct phase_cursor *c, struct gen *g, const struct workload_spec *w)
{
    const struct phase_spec *p = c->p;
    uint32_t actors = w->pattern == THREADS_PRODUCER_CONSUMER ? w->threads / 2 : w->threads;
    while (g->total_ops - c->start_ops < p->ops) {
        if (!gen_room(g))
            return false;
        churn_step(g, w, p, &c->sizes, c->mix_totals, c->turn); /* actors never consume */
        c->turn = (c->turn + 1) % actors;
    }
    return true;
}

static bool free_emit(struct phase_cursor *c, struct gen *g, const struct workload_spec *w)
{
    enum free_order order = c->p->free_order == FREE_NEVER ? FREE_RANDOM : c->p->free_order;
    for (; c->left > 0; c->turn = (c->turn + 1) % w->threads) {
        uint32_t t = c->turn;
        if (c->remaining[t] == 0)
            continue;
        if (!gen_room(g))
            return false;
        gen_free(g, free_runner(g, w, t), gen_pick_victim(g, t, order));
        c->remaining[t]--;
        c->left--;
    }
    return true;
}

static bool script_emit(struct phase_cursor *c, struct gen *g)
{
    const struct phase_spec *p = c->p;
    for (; c->next < p->script_len; c->next++) {
        if (!gen_room(g))
            return false;
        const struct script_op *s = &p->script[c->next];
        enum op_kind kind = OP_MALLOC;
        switch (s->kind) {
        case SCRIPT_FREE:
            gen_free(g, 0, c->slot_of[s->object]);
            c->slot_of[s->object] = UINT32_MAX;
            continue;
        case SCRIPT_REALLOC:
            gen_realloc(g, 0, c->slot_of[s->object], s->size, p->touch);
            continue;
        case SCRIPT_MALLOC:
            kind = OP_MALLOC;
            break;
        case SCRIPT_CALLOC:
            kind = OP_CALLOC;
            break;
        case SCRIPT_POSIX_MEMALIGN:
            kind = OP_POSIX_MEMALIGN;
            break;
        case SCRIPT_ALIGNED_ALLOC:
            kind = OP_ALIGNED_ALLOC;
            break;
        }
        uint32_t slot = gen_new_slot(g, 0);
        c->slot_of[s->object] = slot;
        gen_alloc(g, 0, kind, s->size, s->align ? s->align : 16, p->touch, slot);
    }
    return true;
}

/* ---- access phases -------------------------------------------------------- */

static int slot_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Each thread's live slots in the order the pattern visits them (random:
 * reshuffled at each pass start). */
static int access_begin(struct phase_cursor *c, struct gen *g)
{
    for (uint32_t t = 0; t < g->thread_count; t++) {
        const struct gen_thread *th = &g->threads[t];
        size_t n = th->live_count;
        c->order[t] = malloc((n ? n : 1) * sizeof *c->order[t]);
        if (!c->order[t])
            return -1;
        c->order_len[t] = n;
        if (c->p->access_pattern == ACCESS_ALLOCATION_ORDER) {
            size_t i = 0;
            for (uint32_t s = th->oldest; s != UINT32_MAX; s = g->slots[s].next)
                c->order[t][i++] = s;
        } else {
            memcpy(c->order[t], th->live, n * sizeof *c->order[t]);
            if (c->p->access_pattern == ACCESS_SEQUENTIAL)
                qsort(c->order[t], n, sizeof *c->order[t], slot_cmp);
        }
    }
    return 0;
}

static void access_shuffle(struct gen *g, uint32_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = prng_below(&g->rng, i);
        uint32_t x = a[i - 1];
        a[i - 1] = a[j];
        a[j] = x;
    }
}

/* Passes over every thread's objects; the threads take turns op by op. */
static bool access_emit(struct phase_cursor *c, struct gen *g)
{
    const struct phase_spec *p = c->p;
    uint32_t threads = g->thread_count;
    while (c->pass < p->access_passes) {
        if (!c->pass_started) {
            c->left = 0;
            for (uint32_t t = 0; t < threads; t++) {
                if (p->access_pattern == ACCESS_RANDOM)
                    access_shuffle(g, c->order[t], c->order_len[t]);
                c->order_pos[t] = 0;
                c->left += c->order_len[t];
            }
            c->turn = 0;
            c->pass_started = true;
        }
        for (; c->left > 0; c->turn = (c->turn + 1) % threads) {
            uint32_t t = c->turn;
            if (c->order_pos[t] == c->order_len[t])
                continue;
            if (!gen_room(g))
                return false;
            gen_access(g, t, c->order[t][c->order_pos[t]++], p->access_bytes, p->access_write);
            c->left--;
        }
        c->pass++;
        c->pass_started = false;
    }
    return true;
}

/* Every thread frees what it still owns, oldest first. */
static bool teardown_emit(struct phase_cursor *c, struct gen *g)
{
    for (; c->turn < g->thread_count; c->turn++) {
        while (g->threads[c->turn].live_count > 0) {
            if (!gen_room(g))
                return false;
            gen_free(g, c->turn, g->threads[c->turn].oldest);
        }
    }
    return true;
}

int phase_begin(struct phase_cursor *c, struct gen *g, const struct workload_spec *w,
                const struct phase_spec *p, char *errbuf, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    c->start_ops = g->total_ops;
    if (!p)
        return 0;
    switch (p->kind) {
    case PHASE_CHURN:
        if (size_sampler_init(&c->sizes, &p->sizes) < 0) {
            snprintf(errbuf, errlen, "out of memory");
            return -1;
        }
        c->have_sizes = true;
        mix_totals(p, c->mix_totals);
        break;
    case PHASE_FREE:
        for (uint32_t t = 0; t < w->threads; t++) {
            c->remaining[t] =
                (uint64_t)llround(p->free_fraction * (double)g->threads[t].live_count);
            c->left += c->remaining[t];
        }
        break;
    case PHASE_SCRIPT:
        c->slot_of = malloc((p->script_objects ? p->script_objects : 1) * sizeof *c->slot_of);
        if (!c->slot_of) {
            snprintf(errbuf, errlen, "out of memory");
            return -1;
        }
        for (uint32_t i = 0; i < p->script_objects; i++)
            c->slot_of[i] = UINT32_MAX;
        break;
    case PHASE_ACCESS:
        if (access_begin(c, g) < 0) {
            snprintf(errbuf, errlen, "out of memory");
            return -1;
        }
        break;
    case PHASE_FORK:
        break;
    case PHASE_TRACE: /* trace workloads never reach the generator (opsource.c) */
        snprintf(errbuf, errlen, "a trace is replayed by the trace converter");
        return -1;
    }
    return 0;
}

bool phase_emit(struct phase_cursor *c, struct gen *g, const struct workload_spec *w)
{
    if (!c->p)
        return teardown_emit(c, g);
    switch (c->p->kind) {
    case PHASE_CHURN:
        return churn_emit(c, g, w);
    case PHASE_FREE:
        return free_emit(c, g, w);
    case PHASE_SCRIPT:
        return script_emit(c, g);
    case PHASE_ACCESS:
        return access_emit(c, g);
    case PHASE_FORK:
    case PHASE_TRACE:
        break;
    }
    return true;
}

void phase_finish(struct phase_cursor *c)
{
    if (c->have_sizes)
        size_sampler_free(&c->sizes);
    free(c->slot_of);
    c->have_sizes = false;
    c->slot_of = NULL;
    for (size_t t = 0; t < SPEC_MAX_THREADS; t++) {
        free(c->order[t]);
        c->order[t] = NULL;
    }
}
