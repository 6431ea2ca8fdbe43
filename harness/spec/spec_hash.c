/* spec_hash.c - spec_workload_hash: FNV-1a-64 over the resolved fields
 * that shape the op stream, in a fixed order.
 *
 * Stability rules: integers are fed as 8 little-endian bytes and doubles as
 * their IEEE-754 bits (-0.0 folded into 0.0), so the hash is the same on
 * every build; strings are fed with their length. Pointers, the file path,
 * source positions, the workload name, description and timeout are left
 * out: they do not change what the worker executes. A trace workload adds
 * its trace's path and pacing (workloads without one hash as before). Bump the version
 * string when the field list changes. */
#include <stdio.h>
#include <string.h>

#include "spec_parse.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static void feed_bytes(uint64_t *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        *h ^= p[i];
        *h *= FNV_PRIME;
    }
}

static void feed_u64(uint64_t *h, uint64_t v)
{
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(v >> (8 * i));
    feed_bytes(h, le, sizeof le);
}

static void feed_double(uint64_t *h, double d)
{
    uint64_t bits;
    if (d == 0)
        d = 0; /* -0.0 -> +0.0 */
    memcpy(&bits, &d, sizeof bits);
    feed_u64(h, bits);
}

static void feed_string(uint64_t *h, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    feed_u64(h, len);
    feed_bytes(h, s, len);
}

static void feed_sizes(uint64_t *h, const struct size_dist *d)
{
    feed_u64(h, d->kind);
    switch (d->kind) {
    case SIZE_FIXED:
        feed_u64(h, d->fixed);
        break;
    case SIZE_UNIFORM:
        feed_u64(h, d->lo);
        feed_u64(h, d->hi);
        break;
    case SIZE_LOGNORMAL:
        feed_double(h, d->median);
        feed_double(h, d->sigma);
        break;
    case SIZE_PARETO:
        feed_u64(h, d->scale);
        feed_double(h, d->alpha);
        break;
    case SIZE_TABLE:
        feed_u64(h, d->table_len);
        for (size_t i = 0; i < d->table_len; i++) {
            feed_u64(h, d->table[i].size);
            feed_double(h, d->table[i].weight);
        }
        break;
    }
    feed_u64(h, d->clamp_min);
    feed_u64(h, d->clamp_max);
}

static void feed_phase(uint64_t *h, const struct phase_spec *p)
{
    feed_string(h, p->name); /* phase names label the stream's phase markers */
    feed_u64(h, p->kind);
    switch (p->kind) {
    case PHASE_CHURN:
        feed_u64(h, p->ops);
        feed_sizes(h, &p->sizes);
        for (int i = 0; i < MIX_COUNT; i++)
            feed_double(h, p->mix[i]);
        feed_u64(h, p->free_order);
        feed_u64(h, p->live_objects);
        feed_u64(h, p->live_bytes);
        feed_u64(h, p->touch);
        feed_u64(h, p->align);
        feed_double(h, p->realloc_min);
        feed_double(h, p->realloc_max);
        break;
    case PHASE_FREE:
        feed_double(h, p->free_fraction);
        feed_u64(h, p->free_order);
        break;
    case PHASE_SCRIPT:
        feed_u64(h, p->touch);
        feed_u64(h, p->script_objects);
        feed_u64(h, p->script_len);
        for (size_t i = 0; i < p->script_len; i++) {
            const struct script_op *op = &p->script[i];
            feed_u64(h, op->kind);
            feed_u64(h, op->object);
            feed_u64(h, op->size);
            feed_u64(h, op->align);
        }
        break;
    case PHASE_TRACE:
        feed_u64(h, p->touch);
        break;
    case PHASE_ACCESS:
        feed_u64(h, p->access_pattern);
        feed_u64(h, p->access_passes);
        feed_u64(h, p->access_bytes);
        feed_u64(h, p->access_write);
        break;
    case PHASE_FORK:
        feed_u64(h, p->fork_child);
        break;
    }
}

static void feed_command(uint64_t *h, const struct program_command *cmd)
{
    feed_u64(h, cmd->argc);
    for (size_t i = 0; i < cmd->argc; i++)
        feed_string(h, cmd->argv[i]);
    feed_string(h, cmd->path);
}

/* A program's stdin is part of what it does: hash the file's bytes. */
static void feed_file(uint64_t *h, const char *path)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    feed_u64(h, f != NULL);
    if (!f)
        return;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        feed_bytes(h, buf, n);
    fclose(f);
}

/* Programs: what is run and how its result is judged; not the sampling
 * interval, timeouts or readiness check, which do not change the work. */
static uint64_t program_hash(const struct program_spec *p)
{
    uint64_t h = FNV_OFFSET;
    feed_string(&h, "allocscope-program-v1");
    feed_u64(&h, p->service);
    feed_command(&h, &p->command);
    if (p->service)
        feed_command(&h, &p->load);
    if (p->setup.argc)
        feed_command(&h, &p->setup);
    feed_string(&h, p->cwd);
    feed_u64(&h, p->env_count);
    for (size_t i = 0; i < p->env_count; i++)
        feed_string(&h, p->env[i]);
    feed_file(&h, p->stdin_path);
    feed_u64(&h, (uint64_t)p->expect_exit);
    feed_u64(&h, p->same_output);
    return h;
}

uint64_t spec_workload_hash(const struct workload_spec *w)
{
    if (w->program)
        return program_hash(w->program);
    uint64_t h = FNV_OFFSET;
    feed_string(&h, "allocscope-workload-v1");
    feed_u64(&h, w->seed);
    feed_u64(&h, w->threads);
    feed_u64(&h, w->pattern);
    feed_double(&h, w->cross_thread_free);
    feed_u64(&h, w->sample_every);
    feed_u64(&h, w->teardown);
    feed_u64(&h, w->phase_count);
    for (size_t i = 0; i < w->phase_count; i++)
        feed_phase(&h, &w->phases[i]);
    if (w->trace_path) { /* the trace's content is in its own hash (trace_hash) */
        feed_string(&h, "trace");
        feed_string(&h, w->trace_path);
        feed_u64(&h, w->pace);
        feed_double(&h, w->time_scale);
    }
    /* Run conditions that change the figures (fed only when set, so the
     * hashes of workloads without them stay as they were). */
    if (w->lock_all)
        feed_string(&h, "lock:all");
    if (w->thp_never)
        feed_string(&h, "thp:never");
    return h;
}
