/* opgen_phase.h - what each kind of phase emits (churn, free, script, and
 * the closing teardown), built on the bookkeeping of opgen_core.h.
 *
 * A phase is emitted in pieces: phase_emit stops when the chunk being built
 * is full and resumes there on the next call, so a phase of any length is
 * generated in bounded memory. The cursor holds everything needed to
 * resume; the ops emitted do not depend on where the pieces were cut. */
#ifndef ALLOCSCOPE_OPGEN_PHASE_H
#define ALLOCSCOPE_OPGEN_PHASE_H

#include <stdbool.h>
#include <stddef.h>

#include "opgen_core.h"
#include "size_dist.h"

struct phase_cursor {
    const struct phase_spec *p; /* NULL: the teardown */
    uint64_t start_ops;         /* g->total_ops when the phase began */
    uint32_t turn;              /* next thread (churn, free, teardown) */
    struct size_sampler sizes;  /* churn */
    bool have_sizes;
    double mix_totals[2];       /* churn: mix weights without / with free */
    uint64_t remaining[SPEC_MAX_THREADS]; /* free: frees left per thread */
    uint64_t left;                        /* free: their sum */
    size_t next;                          /* script: next script op */
    uint32_t *slot_of;                    /* script: object -> slot */
    /* access: each thread's live slots in visiting order, its position in
     * them, the accesses left in this pass, the pass (started or not). */
    uint32_t *order[SPEC_MAX_THREADS];
    size_t order_len[SPEC_MAX_THREADS];
    size_t order_pos[SPEC_MAX_THREADS];
    uint64_t pass;
    bool pass_started;
};

/* Begin phase `p` (NULL: the teardown). Returns 0, or -1 with a message. */
int phase_begin(struct phase_cursor *c, struct gen *g, const struct workload_spec *w,
                const struct phase_spec *p, char *errbuf, size_t errlen);

/* Emit the phase's next ops until it is complete (returns true) or the
 * chunk is full (false: call again after the chunk is handed out). */
bool phase_emit(struct phase_cursor *c, struct gen *g, const struct workload_spec *w);

/* Release what phase_begin set up. */
void phase_finish(struct phase_cursor *c);

#endif
