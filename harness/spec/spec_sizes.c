/* spec_sizes.c - size values and size distributions (`sizes:`).
 *
 * A size value is a decimal integer of bytes, or an integer with a binary
 * suffix: B, K/KiB, M/MiB, G/GiB, T/TiB (1K = 1024). A `sizes` value is a
 * bare size (fixed) or a mapping whose `dist` selects the other keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_parse.h"

struct size_suffix {
    const char *name;
    unsigned shift;
};

static const struct size_suffix suffixes[] = {
    {"B", 0},   {"K", 10},  {"KiB", 10}, {"M", 20},  {"MiB", 20},
    {"G", 30},  {"GiB", 30}, {"T", 40},  {"TiB", 40},
};

static int bad_size(const struct yctx *c, const char *key, const struct ynode *n)
{
    char buf[64];
    return yfail(c, n,
                 "expected a size for '%s', got %s (bytes, or a number with B, K/KiB, M/MiB, "
                 "G/GiB or T/TiB, e.g. 128KiB)",
                 key, ydescribe(n, buf, sizeof buf));
}

int spec_read_size(const struct yctx *c, const char *key, const struct ynode *n, uint64_t min,
                   uint64_t max, uint64_t *out)
{
    n = ynode_deref(n);
    if (n->kind != YNODE_SCALAR || ynode_is_null(n) || strlen(n->text) != n->len)
        return bad_size(c, key, n);
    const char *text = n->text;
    if (text[0] == '-' && text[1] >= '0' && text[1] <= '9')
        return yfail(c, n, "'%s' must not be negative, got %s", key, text);
    size_t digits = strspn(text, "0123456789");
    if (digits == 0)
        return bad_size(c, key, n);
    const char *suffix = text + digits;
    while (*suffix == ' ') /* "4 KiB" reads like "4KiB" */
        suffix++;
    uint64_t value, unit = 0;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (strcmp(suffix, suffixes[i].name) == 0)
            unit = 1ULL << suffixes[i].shift;
    if (*suffix == '\0')
        unit = 1;
    if (unit == 0) {
        if (strcmp(suffix, "KB") == 0 || strcmp(suffix, "MB") == 0 || strcmp(suffix, "GB") == 0 ||
            strcmp(suffix, "kB") == 0 || strcmp(suffix, "TB") == 0)
            return yfail(c, n, "ambiguous size suffix in '%s' for '%s': sizes are binary, "
                               "write %.1siB",
                         text, key, suffix[0] == 'k' ? "K" : suffix);
        return bad_size(c, key, n);
    }
    int rc = yparse_u64(text, digits, &value);
    if (rc == -2 || (unit > 1 && value > UINT64_MAX / unit) || value * unit < min ||
        value * unit > max)
        return yfail(c, n, "'%s' must be between %llu and %llu bytes, got %s", key,
                     (unsigned long long)min, (unsigned long long)max, text);
    *out = value * unit;
    return 0;
}

/* The distributions, and the keys each one accepts (index = enum size_dist_kind). */
static const char *const dist_names[] = {"fixed", "uniform", "lognormal", "pareto", "table", NULL};
static const char *const keys_fixed[] = {"dist", "size", "min", "max", NULL};
static const char *const keys_uniform[] = {"dist", "min", "max", NULL};
static const char *const keys_lognormal[] = {"dist", "median", "sigma", "min", "max", NULL};
static const char *const keys_pareto[] = {"dist", "scale", "alpha", "min", "max", NULL};
static const char *const keys_table[] = {"dist", "table", "min", "max", NULL};
static const char *const *const dist_keys[] = {keys_fixed, keys_uniform, keys_lognormal,
                                               keys_pareto, keys_table};

static const struct ynode *require(const struct yctx *c, const struct ynode *map,
                                   const char *dist, const char *key)
{
    const struct ynode *v = ymap_get(map, key);
    if (!v)
        yfail(c, map, "sizes with dist '%s' needs '%s'", dist, key);
    return v;
}

/* A lognormal median: a size ("4KiB") or a plain positive number. */
static int read_median(const struct yctx *c, const struct ynode *n, double *out)
{
    n = ynode_deref(n);
    if (n->kind == YNODE_SCALAR && n->len > 0 && n->text[n->len - 1] >= 'A') {
        uint64_t v;
        if (spec_read_size(c, "median", n, 1, SPEC_MAX_OBJECT_SIZE, &v) != 0)
            return -1;
        *out = (double)v;
        return 0;
    }
    return yread_double(c, "median", n, 0, true, (double)SPEC_MAX_OBJECT_SIZE, out);
}

static int read_table(const struct yctx *c, const struct ynode *n, struct size_dist *d)
{
    if (yexpect_sequence(c, "table", n) != 0)
        return -1;
    n = ynode_deref(n);
    if (n->count == 0 || n->count > SPEC_MAX_TABLE_ENTRIES)
        return yfail(c, n, "'table' needs 1 to %d entries, got %zu", SPEC_MAX_TABLE_ENTRIES,
                     n->count);
    d->table = calloc(n->count, sizeof *d->table);
    if (!d->table)
        return yfail(c, n, "out of memory");
    d->table_len = n->count;
    static const char *const entry_keys[] = {"size", "weight", NULL};
    for (size_t i = 0; i < n->count; i++) {
        const struct ynode *e = ynode_deref(n->items[i]);
        if (yexpect_mapping(c, "table entry", e) != 0 ||
            ymap_check_keys(c, e, "a table entry", entry_keys) != 0)
            return -1;
        const struct ynode *size = ymap_get(e, "size"), *weight = ymap_get(e, "weight");
        if (!size || !weight)
            return yfail(c, e, "a table entry needs 'size' and 'weight'");
        if (spec_read_size(c, "size", size, 1, SPEC_MAX_OBJECT_SIZE, &d->table[i].size) != 0 ||
            yread_double(c, "weight", weight, 0, true, 1e300, &d->table[i].weight) != 0)
            return -1;
    }
    return 0;
}

static int read_dist(const struct yctx *c, const struct ynode *map, struct size_dist *d)
{
    const char *dist = dist_names[d->kind];
    const struct ynode *v;
    switch (d->kind) {
    case SIZE_FIXED:
        return (v = require(c, map, dist, "size")) == NULL
                   ? -1
                   : spec_read_size(c, "size", v, 1, SPEC_MAX_OBJECT_SIZE, &d->fixed);
    case SIZE_UNIFORM:
        if (!require(c, map, dist, "min") || !require(c, map, dist, "max"))
            return -1;
        return 0; /* lo/hi are the clamps, read by the caller */
    case SIZE_LOGNORMAL:
        if (!(v = require(c, map, dist, "median")) || read_median(c, v, &d->median) != 0 ||
            !(v = require(c, map, dist, "sigma")) ||
            yread_double(c, "sigma", v, 0, false, 1e6, &d->sigma) != 0)
            return -1;
        return 0;
    case SIZE_PARETO:
        if (!(v = require(c, map, dist, "scale")) ||
            spec_read_size(c, "scale", v, 1, SPEC_MAX_OBJECT_SIZE, &d->scale) != 0 ||
            !(v = require(c, map, dist, "alpha")) ||
            yread_double(c, "alpha", v, 0, true, 1e6, &d->alpha) != 0)
            return -1;
        return 0;
    case SIZE_TABLE:
        return (v = require(c, map, dist, "table")) == NULL ? -1 : read_table(c, v, d);
    }
    return -1;
}

int spec_read_sizes(const struct yctx *c, const struct ynode *n, struct size_dist *out)
{
    free(out->table);
    memset(out, 0, sizeof *out);
    out->clamp_min = 1;
    out->clamp_max = SPEC_MAX_OBJECT_SIZE;
    n = ynode_deref(n);
    if (n->kind == YNODE_SCALAR) {
        out->kind = SIZE_FIXED;
        return spec_read_size(c, "sizes", n, 1, SPEC_MAX_OBJECT_SIZE, &out->fixed);
    }
    if (n->kind != YNODE_MAPPING)
        return yfail(c, n, "expected a size or a {dist: ...} mapping for 'sizes', got a sequence");
    const struct ynode *dist = ymap_get(n, "dist");
    int kind;
    if (!dist)
        return yfail(c, n, "'sizes' needs 'dist' (one of fixed, uniform, lognormal, pareto, table)");
    if (yread_choice(c, "dist", dist, dist_names, &kind) != 0)
        return -1;
    out->kind = (enum size_dist_kind)kind;
    char what[48];
    snprintf(what, sizeof what, "sizes (dist %s)", dist_names[kind]);
    if (ymap_check_keys(c, n, what, dist_keys[kind]) != 0 || read_dist(c, n, out) != 0)
        return -1;

    const struct ynode *min = ymap_get(n, "min"), *max = ymap_get(n, "max");
    if (min && spec_read_size(c, "min", min, 1, SPEC_MAX_OBJECT_SIZE, &out->clamp_min) != 0)
        return -1;
    if (max && spec_read_size(c, "max", max, 1, SPEC_MAX_OBJECT_SIZE, &out->clamp_max) != 0)
        return -1;
    if (out->clamp_min > out->clamp_max)
        return yfail(c, max, "'min' (%llu) is larger than 'max' (%llu)",
                     (unsigned long long)out->clamp_min, (unsigned long long)out->clamp_max);
    if (out->kind == SIZE_UNIFORM) {
        out->lo = out->clamp_min;
        out->hi = out->clamp_max;
    }
    if (out->kind == SIZE_FIXED && (out->fixed < out->clamp_min || out->fixed > out->clamp_max))
        return yfail(c, ymap_get(n, "size"), "fixed size %llu lies outside min/max [%llu, %llu]",
                     (unsigned long long)out->fixed, (unsigned long long)out->clamp_min,
                     (unsigned long long)out->clamp_max);
    return 0;
}
