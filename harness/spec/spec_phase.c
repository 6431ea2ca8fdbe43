/* spec_phase.c - the phase keys that a workload may also set as defaults:
 * ops, sizes, mix, free_order, live, touch, align, realloc_factor. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spec_parse.h"

const char *const spec_phase_default_keys[] = {
    "ops", "sizes", "mix", "free_order", "live", "touch", "align", "realloc_factor", NULL,
};

static const char *const mix_names[] = {
    "malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc", "free", NULL,
};
static const char *const free_order_names[] = {"random", "fifo", "lifo", "never", NULL};
static const char *const touch_names[] = {"none", "first", "pages", "all", NULL};

#define DEFAULT_SIZE 64
#define DEFAULT_ALIGN 64
#define MIN_ALIGN 8
#define MAX_ALIGN (1ULL << 20)
#define MAX_REALLOC_FACTOR 16.0
#define MAX_WEIGHT 1e12

void spec_phase_init(struct phase_spec *p)
{
    memset(p, 0, sizeof *p);
    p->kind = PHASE_CHURN;
    p->sizes.kind = SIZE_FIXED;
    p->sizes.fixed = DEFAULT_SIZE;
    p->sizes.clamp_min = 1;
    p->sizes.clamp_max = SPEC_MAX_OBJECT_SIZE;
    p->mix[MIX_MALLOC] = 1;
    p->mix[MIX_FREE] = 1;
    p->free_order = FREE_RANDOM;
    p->touch = TOUCH_PAGES;
    p->align = DEFAULT_ALIGN;
    p->realloc_min = 0.5;
    p->realloc_max = 2.0;
}

static int read_mix(const struct yctx *c, const struct ynode *n, double mix[MIX_COUNT])
{
    if (yexpect_mapping(c, "mix", n) != 0)
        return -1;
    n = ynode_deref(n);
    if (ymap_check_keys(c, n, "mix", mix_names) != 0)
        return -1;
    for (int op = 0; op < MIX_COUNT; op++) {
        const struct ynode *w = ymap_get(n, mix_names[op]);
        mix[op] = 0;
        if (w && yread_double(c, mix_names[op], w, 0, false, MAX_WEIGHT, &mix[op]) != 0)
            return -1;
    }
    /* Invariant: something allocates, or the phase could not make objects
     * (realloc needs an object to resize). */
    if (mix[MIX_MALLOC] + mix[MIX_CALLOC] + mix[MIX_POSIX_MEMALIGN] + mix[MIX_ALIGNED_ALLOC] <= 0)
        return yfail(c, n, "'mix' needs a positive weight for at least one of malloc, calloc, "
                           "posix_memalign or aligned_alloc");
    return 0;
}

static int read_live(const struct yctx *c, const struct ynode *n, struct phase_spec *p)
{
    static const char *const live_keys[] = {"objects", "bytes", NULL};
    if (yexpect_mapping(c, "live", n) != 0)
        return -1;
    n = ynode_deref(n);
    if (ymap_check_keys(c, n, "live", live_keys) != 0)
        return -1;
    if (n->count != 1)
        return yfail(c, n->count ? n->items[2] : n,
                     "'live' takes exactly one of 'objects' or 'bytes'");
    p->live_objects = p->live_bytes = 0;
    const struct ynode *v;
    if ((v = ymap_get(n, "objects")))
        return yread_u64(c, "objects", v, 1, SPEC_MAX_LIVE_OBJECTS, &p->live_objects);
    return spec_read_size(c, "bytes", ymap_get(n, "bytes"), 1, SPEC_MAX_LIVE_BYTES,
                          &p->live_bytes);
}

static int read_align(const struct yctx *c, const struct ynode *n, uint64_t *out)
{
    if (spec_read_size(c, "align", n, MIN_ALIGN, MAX_ALIGN, out) != 0)
        return -1;
    if (*out & (*out - 1))
        return yfail(c, n, "'align' must be a power of two, got %s", ynode_deref(n)->text);
    return 0;
}

static int read_realloc_factor(const struct yctx *c, const struct ynode *n, struct phase_spec *p)
{
    static const char *const keys[] = {"min", "max", NULL};
    n = ynode_deref(n);
    if (n->kind == YNODE_SCALAR) {
        if (yread_double(c, "realloc_factor", n, 0, true, MAX_REALLOC_FACTOR, &p->realloc_min))
            return -1;
        p->realloc_max = p->realloc_min;
        return 0;
    }
    if (yexpect_mapping(c, "realloc_factor", n) != 0 ||
        ymap_check_keys(c, n, "realloc_factor", keys) != 0)
        return -1;
    const struct ynode *min = ymap_get(n, "min"), *max = ymap_get(n, "max");
    if (!min || !max)
        return yfail(c, n, "'realloc_factor' needs both 'min' and 'max' (or one number)");
    if (yread_double(c, "min", min, 0, true, MAX_REALLOC_FACTOR, &p->realloc_min) != 0 ||
        yread_double(c, "max", max, 0, true, MAX_REALLOC_FACTOR, &p->realloc_max) != 0)
        return -1;
    if (p->realloc_min > p->realloc_max)
        return yfail(c, max, "realloc_factor 'min' (%g) is larger than 'max' (%g)",
                     p->realloc_min, p->realloc_max);
    return 0;
}

static int read_key(const struct yctx *c, unsigned bit, const struct ynode *v, struct phase_spec *p)
{
    int choice;
    switch (bit) {
    case PK_OPS:
        return yread_u64(c, "ops", v, 1, SPEC_MAX_OPS, &p->ops);
    case PK_SIZES:
        return spec_read_sizes(c, v, &p->sizes);
    case PK_MIX:
        return read_mix(c, v, p->mix);
    case PK_FREE_ORDER:
        if (yread_choice(c, "free_order", v, free_order_names, &choice) != 0)
            return -1;
        p->free_order = (enum free_order)choice;
        return 0;
    case PK_LIVE:
        return read_live(c, v, p);
    case PK_TOUCH:
        if (yread_choice(c, "touch", v, touch_names, &choice) != 0)
            return -1;
        p->touch = (enum touch_mode)choice;
        return 0;
    case PK_ALIGN:
        return read_align(c, v, &p->align);
    case PK_REALLOC_FACTOR:
        return read_realloc_factor(c, v, p);
    }
    return -1;
}

int spec_read_phase_keys(const struct yctx *c, const struct ynode *map, struct phase_spec *p,
                         unsigned *set)
{
    for (unsigned i = 0; spec_phase_default_keys[i]; i++) {
        const struct ynode *v = ymap_get(map, spec_phase_default_keys[i]);
        if (!v)
            continue;
        if (read_key(c, 1u << i, v, p) != 0)
            return -1;
        *set |= 1u << i;
    }
    return 0;
}

int spec_phase_inherit(struct phase_spec *to, const struct phase_spec *from, unsigned keys)
{
    if (keys & PK_OPS)
        to->ops = from->ops;
    if (keys & PK_SIZES) {
        free(to->sizes.table);
        to->sizes = from->sizes;
        if (from->sizes.table) {
            size_t bytes = from->sizes.table_len * sizeof *from->sizes.table;
            to->sizes.table = malloc(bytes);
            if (!to->sizes.table)
                return -1;
            memcpy(to->sizes.table, from->sizes.table, bytes);
        }
    }
    if (keys & PK_MIX)
        memcpy(to->mix, from->mix, sizeof to->mix);
    if (keys & PK_FREE_ORDER)
        to->free_order = from->free_order;
    if (keys & PK_LIVE) {
        to->live_objects = from->live_objects;
        to->live_bytes = from->live_bytes;
    }
    if (keys & PK_TOUCH)
        to->touch = from->touch;
    if (keys & PK_ALIGN)
        to->align = from->align;
    if (keys & PK_REALLOC_FACTOR) {
        to->realloc_min = from->realloc_min;
        to->realloc_max = from->realloc_max;
    }
    return 0;
}

void spec_phase_free(struct phase_spec *p)
{
    free(p->name);
    free(p->sizes.table);
    free(p->script);
    memset(p, 0, sizeof *p);
}
