/* spec_load.c - reading workload and suite files: the top-level mapping,
 * suites, includes, and releasing a loaded suite.
 *
 * A file's top level is a mapping with exactly one key, `workload:` or
 * `suite:`. A suite's workloads are inline ({workload: {...}}) or included
 * ({include: PATH}, relative to the including file); an included file must
 * be a workload file, so includes nest one level and a cycle can only be a
 * suite including itself. Each file is parsed into a yaml_tree, read into
 * the spec, and its tree freed; every string the spec keeps is copied. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounded_file.h"
#include "spec_parse.h"

static const char *const top_keys[] = {"workload", "suite", NULL};
static const char *const suite_keys[] = {"name", "allocators", "reps", "workloads", NULL};
static const char *const item_keys[] = {"include", "workload", NULL};

struct loader {
    struct suite_spec *suite;
    struct spec_error *err;
    char top_realpath[PATH_MAX]; /* "" when the top file is not on disk */
};

/* Keep `path` in suite->files; source positions point at the copy. */
static const char *remember_file(struct suite_spec *s, const char *path)
{
    char **files = realloc(s->files, (s->file_count + 1) * sizeof *files);
    if (!files)
        return NULL;
    s->files = files;
    if (!(files[s->file_count] = strdup(path)))
        return NULL;
    return files[s->file_count++];
}

/* The single top-level key's value; *is_suite tells which key it was. */
static int top_level(const struct yctx *c, const struct ynode *root, const struct ynode **value,
                     bool *is_suite)
{
    char buf[64];
    root = ynode_deref(root);
    if (ynode_is_null(root))
        return yfail(c, root, "the document is empty: expected a 'workload:' or 'suite:' mapping");
    if (root->kind != YNODE_MAPPING || root->count == 0)
        return yfail(c, root, "expected a mapping with a 'workload:' or 'suite:' key, got %s",
                     root->kind == YNODE_MAPPING ? "an empty mapping" : ydescribe(root, buf, sizeof buf));
    if (ymap_check_keys(c, root, "the top level", top_keys) != 0)
        return -1;
    if (root->count > 1)
        return yfail(c, root->items[2], "a file holds one 'workload:' or one 'suite:', not both");
    *is_suite = strcmp(ymap_key_at(root, 0)->text, "suite") == 0;
    *value = ymap_value_at(root, 0);
    return 0;
}

/* Append a workload read from `map` and check its name is new. */
static int add_workload(struct loader *L, const struct yctx *c, const struct ynode *map)
{
    struct suite_spec *s = L->suite;
    struct workload_spec *ws = realloc(s->workloads, (s->workload_count + 1) * sizeof *ws);
    if (!ws)
        return yfail(c, map, "out of memory");
    s->workloads = ws;
    struct workload_spec *w = &ws[s->workload_count++];
    memset(w, 0, sizeof *w);
    if (spec_read_workload(c, map, w) != 0)
        return -1;
    for (size_t i = 0; i + 1 < s->workload_count; i++)
        if (strcmp(ws[i].name, w->name) == 0)
            return yfail(c, ymap_get(ynode_deref(map), "name"),
                         "duplicate workload name '%s' (first defined at %s:%u:%u)", w->name,
                         ws[i].pos.file, ws[i].pos.line, ws[i].pos.col);
    return 0;
}

static void join_relative(const char *base_file, const char *path, char *out, size_t len)
{
    const char *slash = strrchr(base_file, '/');
    if (path[0] == '/' || !slash)
        snprintf(out, len, "%s", path);
    else
        snprintf(out, len, "%.*s/%s", (int)(slash - base_file), base_file, path);
}

static int load_include(struct loader *L, const struct yctx *c, const struct ynode *at)
{
    char *rel = NULL, path[PATH_MAX + 256], real[PATH_MAX];
    if (yread_string(c, "include", at, &rel) != 0)
        return -1;
    join_relative(c->file, rel, path, sizeof path);
    free(rel);
    if (L->top_realpath[0] && realpath(path, real) && strcmp(real, L->top_realpath) == 0)
        return yfail(c, at, "include cycle: '%s' includes itself", path);
    size_t len;
    char why[128];
    char *text = bounded_read_file(path, BOUNDED_YAML_MAX, &len, why, sizeof why);
    if (!text)
        return yfail(c, at, "cannot include '%s': %s", path, why);
    const char *file = remember_file(L->suite, path);
    struct yctx inc = {file, L->err};
    struct ydoc doc;
    int rc = !file ? yfail(c, at, "out of memory") : ydoc_parse(&doc, file, text, len, L->err);
    free(text);
    if (rc != 0)
        return -1;
    const struct ynode *value;
    bool is_suite;
    rc = top_level(&inc, doc.root, &value, &is_suite);
    if (rc == 0 && is_suite)
        rc = yfail(c, at, "'%s' is a suite; only workload files can be included", path);
    if (rc == 0)
        rc = add_workload(L, &inc, value);
    ydoc_free(&doc);
    return rc;
}

static int read_allocators(const struct yctx *c, const struct ynode *seq, struct suite_spec *s)
{
    if (yexpect_sequence(c, "allocators", seq) != 0)
        return -1;
    seq = ynode_deref(seq);
    if (seq->count == 0)
        return yfail(c, seq, "'allocators' is empty: list names or leave the key out");
    if (!(s->allocators = calloc(seq->count, sizeof *s->allocators)))
        return yfail(c, seq, "out of memory");
    s->allocator_count = seq->count;
    for (size_t i = 0; i < seq->count; i++) {
        if (yread_name(c, "allocator name", seq->items[i], true, &s->allocators[i]) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->allocators[j], s->allocators[i]) == 0)
                return yfail(c, seq->items[i], "allocator '%s' is listed twice",
                             s->allocators[i]);
    }
    return 0;
}

static int read_suite(struct loader *L, const struct yctx *c, const struct ynode *map)
{
    struct suite_spec *s = L->suite;
    const struct ynode *v;
    uint64_t reps;
    if (yexpect_mapping(c, "suite", map) != 0)
        return -1;
    map = ynode_deref(map);
    if (ymap_check_keys(c, map, "a suite", suite_keys) != 0)
        return -1;
    s->pos = (struct source_pos){c->file, map->line, map->col};
    if (!(v = ymap_get(map, "name")))
        return yfail(c, map, "a suite needs 'name'");
    if (yread_name(c, "suite name", v, false, &s->name) != 0)
        return -1;
    if ((v = ymap_get(map, "allocators")) && read_allocators(c, v, s) != 0)
        return -1;
    if ((v = ymap_get(map, "reps"))) {
        if (yread_u64(c, "reps", v, 1, 1000, &reps) != 0)
            return -1;
        s->reps = (unsigned)reps;
    }
    const struct ynode *list = ymap_get(map, "workloads");
    if (!list)
        return yfail(c, map, "a suite needs 'workloads' (a list of {include: FILE} or "
                             "{workload: {...}})");
    if (yexpect_sequence(c, "workloads", list) != 0)
        return -1;
    list = ynode_deref(list);
    if (list->count == 0)
        return yfail(c, list, "'workloads' is empty");
    for (size_t i = 0; i < list->count; i++) {
        const struct ynode *item = ynode_deref(list->items[i]);
        if (yexpect_mapping(c, "workloads entry", item) != 0 ||
            ymap_check_keys(c, item, "a workloads entry", item_keys) != 0)
            return -1;
        if (item->count != 1)
            return yfail(c, item, "a workloads entry is {include: FILE} or {workload: {...}}");
        const struct ynode *inc = ymap_get(item, "include");
        int rc = inc ? load_include(L, c, inc) : add_workload(L, c, ymap_get(item, "workload"));
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int load_top(struct loader *L, const char *display, const char *text, size_t len)
{
    const char *file = remember_file(L->suite, display);
    struct yctx c = {file, L->err};
    struct ydoc doc;
    if (!file) {
        snprintf(L->err->message, sizeof L->err->message, "%s:1:1: out of memory", display);
        return -1;
    }
    if (!realpath(display, L->top_realpath))
        L->top_realpath[0] = '\0';
    if (ydoc_parse(&doc, file, text, len, L->err) != 0)
        return -1;
    const struct ynode *value;
    bool is_suite;
    int rc = top_level(&c, doc.root, &value, &is_suite);
    if (rc == 0 && is_suite) {
        rc = read_suite(L, &c, value);
    } else if (rc == 0) {
        rc = add_workload(L, &c, value);
        struct suite_spec *s = L->suite;
        if (rc == 0 && !(s->name = strdup(s->workloads[0].name)))
            rc = yfail(&c, value, "out of memory");
        s->pos = s->workloads[0].pos;
    }
    ydoc_free(&doc);
    return rc;
}

int spec_load_string(const char *yaml, size_t len, const char *display_name,
                     struct suite_spec *out, struct spec_error *err)
{
    memset(out, 0, sizeof *out);
    struct loader *L = calloc(1, sizeof *L);
    int rc = -1;
    if (!L)
        snprintf(err->message, sizeof err->message, "%s:1:1: out of memory", display_name);
    else {
        *L = (struct loader){.suite = out, .err = err};
        rc = load_top(L, display_name, yaml, len);
    }
    free(L);
    if (rc != 0)
        spec_free(out);
    return rc;
}

int spec_load_file(const char *path, struct suite_spec *out, struct spec_error *err)
{
    size_t len;
    memset(out, 0, sizeof *out);
    char why[128];
    char *text = bounded_read_file(path, BOUNDED_YAML_MAX, &len, why, sizeof why);
    if (!text) {
        snprintf(err->message, sizeof err->message, "%s:1:1: cannot read the file: %s", path,
                 why);
        return -1;
    }
    int rc = spec_load_string(text, len, path, out, err);
    free(text);
    return rc;
}

void spec_free(struct suite_spec *s)
{
    for (size_t i = 0; i < s->workload_count; i++)
        spec_workload_free(&s->workloads[i]);
    free(s->workloads);
    for (size_t i = 0; i < s->allocator_count; i++)
        free(s->allocators[i]);
    free(s->allocators);
    for (size_t i = 0; i < s->file_count; i++)
        free(s->files[i]);
    free(s->files);
    free(s->name);
    memset(s, 0, sizeof *s);
}

/* Scale a count, keeping at least 1 (0 stays 0: "no target"). */
static uint64_t scale_count(uint64_t v, double factor)
{
    if (v == 0)
        return 0;
    double scaled = (double)v * factor;
    return scaled < 1 ? 1 : (uint64_t)scaled;
}

void spec_apply_quick(struct suite_spec *suite, double factor)
{
    if (!(factor > 0 && factor <= 1))
        return;
    for (size_t i = 0; i < suite->workload_count; i++) {
        struct workload_spec *w = &suite->workloads[i];
        for (size_t j = 0; j < w->phase_count; j++) {
            struct phase_spec *p = &w->phases[j];
            if (p->kind != PHASE_CHURN)
                continue;
            p->ops = scale_count(p->ops, factor);
            p->live_objects = scale_count(p->live_objects, factor);
            p->live_bytes = scale_count(p->live_bytes, factor);
        }
    }
}
