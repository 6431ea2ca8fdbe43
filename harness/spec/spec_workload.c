/* spec_workload.c - a workload mapping: its own keys, the phase defaults it
 * sets, and its phases (or the single implicit phase "main").
 *
 * Inheritance: workload-level phase keys are read once into `defaults`;
 * each phase starts from the built-in defaults, takes the workload-level
 * keys that were written, then its own keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_parse.h"

static const char *const workload_keys[] = {
    "name", "description", "seed", "threads", "thread_pattern", "cross_thread_free",
    "sample_every", "timeout", "memory_limit", "teardown", "phases", "trace", "pace",
    "time_scale", "lock", "thp",
    /* phase defaults */
    "ops", "sizes", "mix", "free_order", "live", "touch", "align", "realloc_factor", NULL,
};
static const char *const phase_keys[] = {
    "name", "ops", "sizes", "mix", "free_order", "live", "touch", "align", "realloc_factor",
    "free", "script", "access", "fork", NULL,
};
static const char *const pattern_names[] = {"symmetric", "producer_consumer", NULL};

/* Keys that do nothing in a free / script phase; writing one is an error. */
static const char *const free_phase_forbidden[] = {
    "ops", "sizes", "mix", "live", "touch", "align", "realloc_factor", NULL,
};
static const char *const script_phase_forbidden[] = {
    "ops", "sizes", "mix", "free_order", "live", "align", "realloc_factor", NULL,
};
static const char *const access_phase_forbidden[] = {
    "ops", "sizes", "mix", "free_order", "live", "touch", "align", "realloc_factor", NULL,
};
static const char *const access_pattern_names[] = {"random", "sequential", "allocation_order",
                                                   NULL};
static const char *const fork_child_names[] = {"idle", "read", NULL};


static int reject_keys(const struct yctx *c, const struct ynode *map, const char *kind,
                       const char *const forbidden[])
{
    for (size_t i = 0; forbidden[i]; i++) {
        const struct ynode *k = ymap_key(map, forbidden[i]);
        if (k)
            return yfail(c, k, "'%s' has no effect in %s phase", forbidden[i], kind);
    }
    return 0;
}

/* Exactly one of ops / free / script / access / fork decides the kind (ops
 * may be inherited). */
static int phase_kind(const struct yctx *c, const struct ynode *map, unsigned inherited,
                      const struct phase_spec *p, enum phase_kind *kind)
{
    static const char *const kind_keys[] = {"ops", "free", "script", "access", "fork"};
    static const enum phase_kind kinds[] = {PHASE_CHURN, PHASE_FREE, PHASE_SCRIPT, PHASE_ACCESS,
                                            PHASE_FORK};
    const struct ynode *first = NULL;
    for (int i = 0; i < 5; i++) {
        const struct ynode *k = ymap_key(map, kind_keys[i]);
        if (!k)
            continue;
        if (first) {
            /* Report at whichever of the two comes later in the file. */
            const struct ynode *later = k, *earlier = first;
            if (k->line < first->line || (k->line == first->line && k->col < first->col))
                later = first, earlier = k;
            return yfail(c, later, "a phase has one of 'ops' (churn), 'free', 'script', "
                                   "'access' or 'fork'; this one also has '%s'",
                         ynode_deref(earlier)->text);
        }
        first = k;
        *kind = kinds[i];
    }
    if (first)
        return 0;
    if (inherited & PK_OPS) {
        *kind = PHASE_CHURN;
        return 0;
    }
    return yfail(c, map, "phase '%s' needs 'ops' (churn), 'free: FRACTION', 'script', "
                         "'access' or 'fork'", p->name);
}

/* access: {pattern, passes, bytes_per_object, write} (every key optional). */
static int read_access(const struct yctx *c, const struct ynode *n, struct phase_spec *p)
{
    static const char *const keys[] = {"pattern", "passes", "bytes_per_object", "write", NULL};
    if (yexpect_mapping(c, "access", n) != 0)
        return -1;
    n = ynode_deref(n);
    if (ymap_check_keys(c, n, "access", keys) != 0)
        return -1;
    p->access_pattern = ACCESS_RANDOM;
    p->access_passes = 1;
    p->access_bytes = 64;
    p->access_write = false;
    const struct ynode *v;
    int choice;
    if ((v = ymap_get(n, "pattern"))) {
        if (yread_choice(c, "pattern", v, access_pattern_names, &choice) != 0)
            return -1;
        p->access_pattern = (enum access_pattern)choice;
    }
    if ((v = ymap_get(n, "passes")) &&
        yread_u64(c, "passes", v, 1, SPEC_MAX_ACCESS_PASSES, &p->access_passes) != 0)
        return -1;
    if ((v = ymap_get(n, "bytes_per_object")) &&
        spec_read_size(c, "bytes_per_object", v, 1, SPEC_MAX_OBJECT_SIZE, &p->access_bytes) != 0)
        return -1;
    if ((v = ymap_get(n, "write")) && yread_bool(c, "write", v, &p->access_write) != 0)
        return -1;
    return 0;
}

static int read_phase(const struct yctx *c, const struct ynode *n, size_t index,
                      const struct phase_spec *defaults, unsigned set, struct phase_spec *p)
{
    if (yexpect_mapping(c, "phase", n) != 0)
        return -1;
    n = ynode_deref(n);
    if (ymap_check_keys(c, n, "a phase", phase_keys) != 0)
        return -1;
    spec_phase_init(p);
    p->pos = (struct source_pos){c->file, n->line, n->col};
    if (spec_phase_inherit(p, defaults, set) != 0)
        return yfail(c, n, "out of memory");
    const struct ynode *name = ymap_get(n, "name");
    if (name) {
        if (yread_name(c, "phase name", name, false, &p->name) != 0)
            return -1;
    } else {
        char buf[32];
        snprintf(buf, sizeof buf, "phase%zu", index + 1);
        if (!(p->name = strdup(buf)))
            return yfail(c, n, "out of memory");
    }
    unsigned own = 0;
    if (phase_kind(c, n, set, p, &p->kind) != 0 || spec_read_phase_keys(c, n, p, &own) != 0)
        return -1;
    if (p->kind == PHASE_FREE)
        return reject_keys(c, n, "a free", free_phase_forbidden) != 0
                   ? -1
                   : yread_double(c, "free", ymap_get(n, "free"), 0, true, 1, &p->free_fraction);
    if (p->kind == PHASE_SCRIPT)
        return reject_keys(c, n, "a script", script_phase_forbidden) != 0
                   ? -1
                   : spec_read_script(c, ymap_get(n, "script"), p);
    if (p->kind == PHASE_ACCESS)
        return reject_keys(c, n, "an access", access_phase_forbidden) != 0
                   ? -1
                   : read_access(c, ymap_get(n, "access"), p);
    if (p->kind == PHASE_FORK) {
        int choice;
        if (reject_keys(c, n, "a fork", access_phase_forbidden) != 0 ||
            yread_choice(c, "fork", ymap_get(n, "fork"), fork_child_names, &choice) != 0)
            return -1;
        p->fork_child = (enum fork_child)choice;
    }
    return 0;
}

static int read_phases(const struct yctx *c, const struct ynode *seq,
                       const struct phase_spec *defaults, unsigned set, struct workload_spec *w)
{
    if (yexpect_sequence(c, "phases", seq) != 0)
        return -1;
    seq = ynode_deref(seq);
    if (seq->count == 0 || seq->count > SPEC_MAX_PHASES)
        return yfail(c, seq, "'phases' needs 1 to %d phases, got %zu", SPEC_MAX_PHASES,
                     seq->count);
    if (!(w->phases = calloc(seq->count, sizeof *w->phases)))
        return yfail(c, seq, "out of memory");
    w->phase_count = seq->count;
    for (size_t i = 0; i < seq->count; i++) {
        struct phase_spec *p = &w->phases[i];
        if (read_phase(c, seq->items[i], i, defaults, set, p) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(w->phases[j].name, p->name) == 0)
                return yfail(c, seq->items[i], "duplicate phase name '%s' (first at %u:%u)",
                             p->name, w->phases[j].pos.line, w->phases[j].pos.col);
    }
    return 0;
}

/* The single implicit phase of a workload without `phases`. */
static int main_phase(const struct yctx *c, const struct ynode *map, struct phase_spec *defaults,
                      unsigned set, struct workload_spec *w)
{
    if (!(set & PK_OPS))
        return yfail(c, map, "workload '%s' needs 'ops' (or a 'phases' list)", w->name);
    if (!(w->phases = calloc(1, sizeof *w->phases)))
        return yfail(c, map, "out of memory");
    w->phase_count = 1;
    w->phases[0] = *defaults; /* moves the size table */
    memset(defaults, 0, sizeof *defaults);
    w->phases[0].pos = w->pos;
    if (!(w->phases[0].name = strdup("main")))
        return yfail(c, map, "out of memory");
    return 0;
}

static int read_threads(const struct yctx *c, const struct ynode *map, struct workload_spec *w)
{
    const struct ynode *v;
    uint64_t threads = 1;
    int pattern = THREADS_SYMMETRIC;
    if ((v = ymap_get(map, "threads")) && yread_u64(c, "threads", v, 1, SPEC_MAX_THREADS, &threads))
        return -1;
    w->threads = (uint32_t)threads;
    if ((v = ymap_get(map, "thread_pattern")) &&
        yread_choice(c, "thread_pattern", v, pattern_names, &pattern) != 0)
        return -1;
    w->pattern = (enum thread_pattern)pattern;
    if (w->pattern == THREADS_PRODUCER_CONSUMER && w->threads < 2)
        return yfail(c, v, "thread_pattern producer_consumer needs threads >= 2, got %u",
                     w->threads);
    if ((v = ymap_get(map, "cross_thread_free"))) {
        if (yread_double(c, "cross_thread_free", v, 0, false, 1, &w->cross_thread_free) != 0)
            return -1;
        if (w->pattern != THREADS_SYMMETRIC && w->cross_thread_free > 0)
            return yfail(c, v, "'cross_thread_free' applies to thread_pattern symmetric only "
                               "(producer_consumer frees every object in another thread)");
    }
    return 0;
}

static int read_run_keys(const struct yctx *c, const struct ynode *map, struct workload_spec *w)
{
    const struct ynode *v;
    w->seed = 1;
    w->timeout_s = 120;
    w->teardown = true;
    if ((v = ymap_get(map, "description")) && yread_string(c, "description", v, &w->description))
        return -1;
    if ((v = ymap_get(map, "seed")) && yread_u64(c, "seed", v, 0, UINT64_MAX, &w->seed) != 0)
        return -1;
    if ((v = ymap_get(map, "sample_every")) &&
        !(v->kind == YNODE_SCALAR && strcmp(v->text, "auto") == 0) &&
        yread_u64(c, "sample_every", v, 1, SPEC_MAX_OPS, &w->sample_every) != 0)
        return -1;
    if ((v = ymap_get(map, "timeout")) &&
        yread_double(c, "timeout", v, 0, true, SPEC_MAX_TIMEOUT_S, &w->timeout_s) != 0)
        return -1;
    if ((v = ymap_get(map, "memory_limit")) &&
        spec_read_size(c, "memory_limit", v, SPEC_MIN_MEMORY_LIMIT, SPEC_MAX_MEMORY_LIMIT,
                       &w->memory_limit) != 0)
        return -1;
    if ((v = ymap_get(map, "teardown")) && yread_bool(c, "teardown", v, &w->teardown) != 0)
        return -1;
    static const char *const lock_names[] = {"none", "all", NULL};
    static const char *const thp_names[] = {"default", "never", NULL};
    int choice;
    if ((v = ymap_get(map, "lock"))) {
        if (yread_choice(c, "lock", v, lock_names, &choice) != 0)
            return -1;
        w->lock_all = choice == 1;
    }
    if ((v = ymap_get(map, "thp"))) {
        if (yread_choice(c, "thp", v, thp_names, &choice) != 0)
            return -1;
        w->thp_never = choice == 1;
    }
    return read_threads(c, map, w);
}

int spec_read_workload(const struct yctx *c, const struct ynode *map, struct workload_spec *w)
{
    if (yexpect_mapping(c, "workload", map) != 0)
        return -1;
    map = ynode_deref(map);
    if (ymap_key(map, "command") || ymap_key(map, "service"))
        return spec_read_program_workload(c, map, w);
    if (ymap_check_keys(c, map, "a workload", workload_keys) != 0)
        return -1;
    w->pos = (struct source_pos){c->file, map->line, map->col};
    const struct ynode *name = ymap_get(map, "name");
    if (!name)
        return yfail(c, map, "a workload needs 'name'");
    if (yread_name(c, "workload name", name, false, &w->name) != 0 || read_run_keys(c, map, w))
        return -1;
    bool is_trace;
    if (spec_read_trace_workload(c, map, w, &is_trace) != 0)
        return -1;
    if (is_trace)
        return 0;

    struct phase_spec defaults;
    unsigned set = 0;
    spec_phase_init(&defaults);
    int rc = spec_read_phase_keys(c, map, &defaults, &set);
    const struct ynode *phases = ymap_get(map, "phases");
    if (rc == 0)
        rc = phases ? read_phases(c, phases, &defaults, set, w)
                    : main_phase(c, map, &defaults, set, w);
    spec_phase_free(&defaults);
    return rc;
}

void spec_workload_free(struct workload_spec *w)
{
    for (size_t i = 0; i < w->phase_count; i++)
        spec_phase_free(&w->phases[i]);
    free(w->phases);
    spec_program_free(w->program);
    free(w->name);
    free(w->description);
    free(w->trace_path);
    memset(w, 0, sizeof *w);
}
