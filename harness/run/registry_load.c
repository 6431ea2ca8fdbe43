/* registry_load.c - reading allocators/registry.yaml (see registry.h for
 * the keys). The top level is a mapping with the single key `allocators:`,
 * a non-empty sequence of entries with unique names. registry_resolve()
 * lives elsewhere; the resolved fields stay zeroed here. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounded_file.h"
#include "registry.h"
#include "yaml_value.h"

static const char *const top_keys[] = {"allocators", NULL};
static const char *const entry_keys[] = {
    "name", "description", "library", "serves_from", "package", "version", "stats", "env",
    NULL,
};
/* Index = enum version_probe - 1. */
static const char *const probe_names[] = {"glibc", "mallctl", "int_function", "string_function",
                                          NULL};
static const char *const stats_names[] = {"none", "glibc", "jemalloc", "mimalloc", NULL};

/* Registry values are data that reach the loader (LD_PRELOAD), dlsym and
 * dpkg-query as arguments, never a shell; each is checked to be what it
 * names, so a value cannot smuggle anything else in. */

/* A library path or soname: printable, no ':' or blanks (LD_PRELOAD splits
 * its value on them), {exe_dir} only as a prefix, shorter than PATH_MAX. */
static int check_library(const struct yctx *c, const char *key, const struct ynode *v,
                         const char *text)
{
    size_t len = strlen(text);
    if (len == 0 || len >= PATH_MAX - 64)
        return yfail(c, v, "'%s' must be a library file name or path of 1 to %d bytes", key,
                     PATH_MAX - 65);
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == ':' || *p == 0x7f)
            return yfail(c, v, "'%s' must not contain blanks, ':' or control characters "
                               "(LD_PRELOAD could not hold it): '%s'",
                         key, text);
    const char *brace = strchr(text, '{');
    if ((brace && (brace != text || strncmp(text, "{exe_dir}", 9) != 0 ||
                   strchr(text + 9, '{'))) ||
        (strchr(text, '}') && strncmp(text, "{exe_dir}", 9) != 0))
        return yfail(c, v, "'%s': '{exe_dir}' is the only placeholder, and only at the "
                           "start: '%s'",
                     key, text);
    return 0;
}

/* A Debian package name (Debian policy 5.6.1). */
static int check_package(const struct yctx *c, const struct ynode *v, const char *text)
{
    size_t len = strlen(text);
    if (len < 2 || len > 128 || !((text[0] >= 'a' && text[0] <= 'z') || (text[0] >= '0' && text[0] <= '9')) ||
        strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789+-.") != len)
        return yfail(c, v, "'package' must be a Debian package name ([a-z0-9][a-z0-9+.-]+), "
                           "got '%s'",
                     text);
    return 0;
}

/* A symbol (C identifier) or, for mallctl, a dotted mallctl name. */
static int check_symbol(const struct yctx *c, const struct ynode *v, const char *probe,
                        const char *text)
{
    bool dotted = strcmp(probe, "mallctl") == 0;
    size_t len = strlen(text);
    const char *allowed = dotted ? "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_."
                                 : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    if (len == 0 || len > 128 || (text[0] >= '0' && text[0] <= '9') || text[0] == '.' ||
        strspn(text, allowed) != len)
        return yfail(c, v, "'%s' must name a %s, got '%s'", probe,
                     dotted ? "mallctl entry ([A-Za-z0-9_.]+)" : "C symbol ([A-Za-z_][A-Za-z0-9_]*)",
                     text);
    return 0;
}

/* An optional string where `none` means "not given". */
static int read_optional(const struct yctx *c, const struct ynode *map, const char *key,
                         char **out)
{
    const struct ynode *v = ymap_get(map, key);
    if (!v || yread_string(c, key, v, out) != 0)
        return v ? -1 : 0;
    if (strcmp(*out, "none") == 0) {
        free(*out);
        *out = NULL;
    }
    return 0;
}

static int read_version(const struct yctx *c, const struct ynode *v, struct allocator_entry *e)
{
    if (v->kind == YNODE_SCALAR && strcmp(v->text, "none") == 0)
        return 0;
    if (yexpect_mapping(c, "version", v) != 0 ||
        ymap_check_keys(c, v, "version", probe_names) != 0)
        return -1;
    if (v->count != 1)
        return yfail(c, v, "'version' takes exactly one of glibc, mallctl, int_function or "
                           "string_function");
    int probe = 0;
    while (strcmp(probe_names[probe], ymap_key_at(v, 0)->text) != 0)
        probe++;
    e->version_probe = (enum version_probe)(probe + 1);
    const struct ynode *sym = ymap_value_at(v, 0);
    if (yread_string(c, probe_names[probe], sym, &e->version_symbol) != 0)
        return -1;
    return check_symbol(c, sym, probe_names[probe], e->version_symbol);
}

/* env: {NAME: value, ...}; each setting checked by alloc_env_check. */
static int read_env(const struct yctx *c, const struct ynode *v, struct allocator_entry *e)
{
    if (yexpect_mapping(c, "env", v) != 0)
        return -1;
    v = ynode_deref(v);
    if (v->count > ALLOC_ENV_MAX_SETTINGS)
        return yfail(c, v, "'env' has more than %d settings", ALLOC_ENV_MAX_SETTINGS);
    if (!(e->env = calloc(v->count ? v->count : 1, sizeof *e->env)))
        return yfail(c, v, "out of memory");
    for (size_t i = 0; i < v->count; i++) {
        const struct ynode *key = ymap_key_at(v, i), *val = ymap_value_at(v, i);
        struct env_setting *s = &e->env[e->env_count];
        char msg[512];
        if (yread_string(c, "env", key, &s->name) != 0)
            return -1;
        e->env_count++;
        if (alloc_env_check_name(s->name, msg, sizeof msg) != 0)
            return yfail(c, key, "%s", msg);
        if (val->kind != YNODE_SCALAR || ynode_is_null(val)) {
            char buf[64];
            return yfail(c, val, "the value of %s must be text, got %s", s->name,
                         ydescribe(val, buf, sizeof buf));
        }
        if (strlen(val->text) != val->len)
            return yfail(c, val, "the value of %s holds a NUL byte", s->name);
        if (yread_string(c, s->name, val, &s->value) != 0)
            return -1;
        s->pos = (struct source_pos){c->file, val->line, val->col};
        if (alloc_env_check(s->name, s->value, msg, sizeof msg) != 0)
            return yfail(c, val, "%s", msg);
    }
    return 0;
}

static int read_entry(const struct yctx *c, const struct ynode *n, struct allocator_entry *e)
{
    if (yexpect_mapping(c, "allocator entry", n) != 0)
        return -1;
    n = ynode_deref(n);
    if (ymap_check_keys(c, n, "an allocator entry", entry_keys) != 0)
        return -1;
    e->pos = (struct source_pos){c->file, n->line, n->col};
    const struct ynode *v = ymap_get(n, "name");
    int stats = STATS_NONE;
    if (!v)
        return yfail(c, n, "an allocator entry needs 'name'");
    if (yread_name(c, "allocator name", v, true, &e->name) != 0)
        return -1;
    if ((v = ymap_get(n, "description")) && yread_string(c, "description", v, &e->description))
        return -1;
    if (read_optional(c, n, "library", &e->library) != 0 ||
        read_optional(c, n, "serves_from", &e->serves_from) != 0 ||
        read_optional(c, n, "package", &e->package) != 0)
        return -1;
    if ((e->library && check_library(c, "library", ymap_get(n, "library"), e->library) != 0) ||
        (e->serves_from &&
         check_library(c, "serves_from", ymap_get(n, "serves_from"), e->serves_from) != 0) ||
        (e->package && check_package(c, ymap_get(n, "package"), e->package) != 0))
        return -1;
    if ((v = ymap_get(n, "version")) && read_version(c, v, e) != 0)
        return -1;
    if ((v = ymap_get(n, "stats")) && yread_choice(c, "stats", v, stats_names, &stats) != 0)
        return -1;
    e->stats = (enum stats_kind)stats; /* names listed in enum order */
    if ((v = ymap_get(n, "env")) && read_env(c, v, e) != 0)
        return -1;
    return 0;
}

static int read_registry(const struct yctx *c, const struct ynode *root,
                         struct allocator_registry *reg)
{
    char buf[64];
    root = ynode_deref(root);
    if (root->kind != YNODE_MAPPING)
        return yfail(c, root, "expected a mapping with an 'allocators:' key, got %s",
                     ydescribe(root, buf, sizeof buf));
    if (ymap_check_keys(c, root, "the registry", top_keys) != 0)
        return -1;
    const struct ynode *list = ymap_get(root, "allocators");
    if (!list)
        return yfail(c, root, "the registry needs 'allocators:'");
    if (yexpect_sequence(c, "allocators", list) != 0)
        return -1;
    list = ynode_deref(list);
    if (list->count == 0)
        return yfail(c, list, "'allocators' is empty");
    if (!(reg->entries = calloc(list->count, sizeof *reg->entries)))
        return yfail(c, list, "out of memory");
    reg->count = list->count;
    for (size_t i = 0; i < list->count; i++) {
        if (read_entry(c, list->items[i], &reg->entries[i]) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(reg->entries[j].name, reg->entries[i].name) == 0)
                return yfail(c, ymap_get(ynode_deref(list->items[i]), "name"),
                             "duplicate allocator name '%s' (first at %u:%u)",
                             reg->entries[i].name, reg->entries[j].pos.line,
                             reg->entries[j].pos.col);
    }
    return 0;
}

int registry_load(const char *path, struct allocator_registry *out, struct spec_error *err)
{
    memset(out, 0, sizeof *out);
    size_t len;
    char why[128];
    char *text = bounded_read_file(path, BOUNDED_REGISTRY_MAX, &len, why, sizeof why);
    if (!text) {
        snprintf(err->message, sizeof err->message, "%s:1:1: cannot read the registry: %s", path,
                 why);
        return -1;
    }
    out->file = strdup(path);
    struct yctx c = {out->file, err};
    struct ydoc doc;
    int rc = -1;
    if (!out->file)
        snprintf(err->message, sizeof err->message, "%s:1:1: out of memory", path);
    else if (ydoc_parse(&doc, out->file, text, len, err) == 0) {
        rc = read_registry(&c, doc.root, out);
        ydoc_free(&doc);
    }
    free(text);
    if (rc != 0)
        registry_free(out);
    return rc;
}

void registry_free(struct allocator_registry *reg)
{
    for (size_t i = 0; i < reg->count; i++) {
        struct allocator_entry *e = &reg->entries[i];
        free(e->name);
        free(e->description);
        free(e->library);
        free(e->serves_from);
        free(e->package);
        free(e->version_symbol);
        for (size_t k = 0; k < e->env_count; k++) {
            free(e->env[k].name);
            free(e->env[k].value);
        }
        free(e->env);
        free(e->defined_by);
    }
    free(reg->entries);
    free(reg->file);
    memset(reg, 0, sizeof *reg);
}

const struct allocator_entry *registry_find(const struct allocator_registry *reg,
                                            const char *name)
{
    for (size_t i = 0; i < reg->count; i++)
        if (strcmp(reg->entries[i].name, name) == 0)
            return &reg->entries[i];
    return NULL;
}
