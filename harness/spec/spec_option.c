/* spec_option.c - command-line values read by the YAML readers themselves
 * (see spec.h), and the live-size floor used for the memory warning.
 *
 * A value from the command line is wrapped in a plain scalar node and read
 * by the same function that reads the key in a file; only the position
 * prefix of the message ("FILE:LINE:COL: ") is dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_parse.h"

/* A plain scalar (not !!str, not quoted) holding `text`. */
static struct ynode scalar(const char *text)
{
    struct ynode n;
    memset(&n, 0, sizeof n);
    n.kind = YNODE_SCALAR;
    n.text = (char *)text;
    n.len = strlen(text);
    n.plain = true;
    n.line = n.col = 1;
    return n;
}

/* The message of a reader without its "OPTION:1:1: " prefix. */
static int failed(const struct spec_error *e, const char *file, char *err, size_t errlen)
{
    size_t skip = strlen(file) + strlen(":1:1: ");
    snprintf(err, errlen, "%s", strlen(e->message) >= skip ? e->message + skip : e->message);
    return -1;
}

int spec_parse_timeout(const char *text, double *out, char *err, size_t errlen)
{
    struct spec_error e;
    struct yctx c = {"--timeout", &e};
    struct ynode n = scalar(text);
    if (yread_double(&c, "timeout", &n, 0, true, SPEC_MAX_TIMEOUT_S, out) != 0)
        return failed(&e, c.file, err, errlen);
    return 0;
}

int spec_parse_reps(const char *text, unsigned *out, char *err, size_t errlen)
{
    struct spec_error e;
    struct yctx c = {"--reps", &e};
    struct ynode n = scalar(text);
    uint64_t v;
    if (yread_u64(&c, "reps", &n, 1, SPEC_MAX_REPS, &v) != 0)
        return failed(&e, c.file, err, errlen);
    *out = (unsigned)v;
    return 0;
}

int spec_parse_memory_limit(const char *text, uint64_t *out, char *err, size_t errlen)
{
    struct spec_error e;
    struct yctx c = {"--memory-limit", &e};
    struct ynode n = scalar(text);
    if (spec_read_size(&c, "memory_limit", &n, SPEC_MIN_MEMORY_LIMIT, SPEC_MAX_MEMORY_LIMIT,
                       out) != 0)
        return failed(&e, c.file, err, errlen);
    return 0;
}

int spec_parse_allocator_name(const char *text, char *err, size_t errlen)
{
    struct spec_error e;
    struct yctx c = {"--allocators", &e};
    struct ynode n = scalar(text);
    if (!text[0]) {
        snprintf(err, errlen, "an empty allocator name (two commas, or one at an end)");
        return -1;
    }
    char *copy = NULL;
    if (yread_name(&c, "allocator name", &n, true, &copy) != 0)
        return failed(&e, c.file, err, errlen);
    free(copy);
    return 0;
}

/* The smallest size a phase's distribution can draw. */
static uint64_t smallest_size(const struct size_dist *d)
{
    uint64_t lo = d->clamp_min;
    if (d->kind == SIZE_FIXED && d->fixed > lo)
        lo = d->fixed;
    return lo ? lo : 1;
}

uint64_t spec_workload_live_floor(const struct workload_spec *w)
{
    uint64_t floor = 0;
    for (size_t i = 0; i < w->phase_count; i++) {
        const struct phase_spec *p = &w->phases[i];
        if (p->kind != PHASE_CHURN)
            continue;
        uint64_t bytes = p->live_bytes;
        /* realloc may shrink objects below the distribution's floor. */
        uint64_t per = p->mix[MIX_REALLOC] > 0 && p->realloc_min < 1 ? 1 : smallest_size(&p->sizes);
        if (p->live_objects && per <= UINT64_MAX / p->live_objects &&
            p->live_objects * per > bytes)
            bytes = p->live_objects * per;
        if (bytes > floor)
            floor = bytes;
    }
    return floor;
}
