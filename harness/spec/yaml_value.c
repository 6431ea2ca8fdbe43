/* yaml_value.c - typed readers over yaml_tree nodes. */
#include "yaml_value.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int yfail(const struct yctx *c, const struct ynode *at, const char *fmt, ...)
{
    char text[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    at = ynode_deref(at);
    snprintf(c->err->message, sizeof c->err->message, "%s:%u:%u: %s", c->file,
             at ? at->line : 1u, at ? at->col : 1u, text);
    return -1;
}

bool ynode_is_null(const struct ynode *n)
{
    n = ynode_deref(n);
    if (!n || n->kind != YNODE_SCALAR || !n->plain || n->tagged_str)
        return false;
    return n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
           strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

const char *ydescribe(const struct ynode *n, char *buf, size_t len)
{
    n = ynode_deref(n);
    if (n->kind == YNODE_MAPPING)
        return "a mapping";
    if (n->kind == YNODE_SEQUENCE)
        return "a sequence";
    if (ynode_is_null(n))
        return "nothing (null)";
    /* Quote the text, shortened, with control bytes shown as '?'. */
    size_t room = len > 16 ? len - 16 : 0, i;
    char *p = buf;
    if (n->tagged_str) {
        memcpy(p, "!!str ", 6);
        p += 6;
    }
    *p++ = '\'';
    for (i = 0; i < n->len && i < room && i < 40; i++)
        *p++ = (unsigned char)n->text[i] < 0x20 ? '?' : n->text[i];
    if (i < n->len) {
        memcpy(p, "...", 3);
        p += 3;
    }
    *p++ = '\'';
    *p = '\0';
    return buf;
}

static int expect_kind(const struct yctx *c, const char *key, const struct ynode *n,
                       enum ynode_kind kind, const char *kind_name)
{
    char buf[64];
    if (ynode_deref(n)->kind == kind)
        return 0;
    return yfail(c, n, "expected %s for '%s', got %s", kind_name, key, ydescribe(n, buf, sizeof buf));
}

int yexpect_mapping(const struct yctx *c, const char *key, const struct ynode *n)
{
    return expect_kind(c, key, n, YNODE_MAPPING, "a mapping");
}

int yexpect_sequence(const struct yctx *c, const char *key, const struct ynode *n)
{
    return expect_kind(c, key, n, YNODE_SEQUENCE, "a sequence");
}

/* Edit distance, bounded to short words (keys and enum values). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (up + 1 < best)
                best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *yclosest(const char *word, const char *const candidates[])
{
    const char *best = NULL;
    size_t best_d = 3; /* at most two edits, and less than half the word */
    for (size_t i = 0; candidates[i]; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_d && d * 2 < strlen(candidates[i])) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

static void join_list(const char *const items[], char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; items[i] && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", items[i]);
}

int ymap_check_keys(const struct yctx *c, const struct ynode *map, const char *what,
                    const char *const allowed[])
{
    for (size_t i = 0; i < map->count; i++) {
        const char *key = ymap_key_at(map, i)->text;
        bool known = false;
        for (size_t k = 0; allowed[k] && !known; k++)
            known = strcmp(key, allowed[k]) == 0;
        if (known)
            continue;
        if (strcmp(key, "<<") == 0)
            return yfail(c, map->items[2 * i], "merge keys (<<) are not supported in %s: alias a "
                                               "whole value instead (key: *anchor)", what);
        const char *near = yclosest(key, allowed);
        if (near)
            return yfail(c, map->items[2 * i], "unknown key '%s' in %s (did you mean '%s'?)", key,
                         what, near);
        char list[512];
        join_list(allowed, list, sizeof list);
        return yfail(c, map->items[2 * i], "unknown key '%s' in %s (allowed: %s)", key, what, list);
    }
    return 0;
}

const struct ynode *ymap_key(const struct ynode *map, const char *key)
{
    for (size_t i = 0; i < map->count; i++)
        if (strcmp(ymap_key_at(map, i)->text, key) == 0)
            return map->items[2 * i];
    return NULL;
}

const struct ynode *ymap_get(const struct ynode *map, const char *key)
{
    for (size_t i = 0; i < map->count; i++)
        if (strcmp(ymap_key_at(map, i)->text, key) == 0)
            return ymap_value_at(map, i);
    return NULL;
}

/* A scalar with a value, or an error naming what was expected. */
static int expect_value(const struct yctx *c, const char *key, const struct ynode *n,
                        const char *expected)
{
    char buf[64];
    n = ynode_deref(n);
    if (n->kind == YNODE_SCALAR && !ynode_is_null(n) && strlen(n->text) == n->len)
        return 0;
    return yfail(c, n, "expected %s for '%s', got %s", expected, key, ydescribe(n, buf, sizeof buf));
}

int yread_string(const struct yctx *c, const char *key, const struct ynode *n, char **out)
{
    if (expect_value(c, key, n, "a string") != 0)
        return -1;
    *out = strdup(ynode_deref(n)->text);
    return *out ? 0 : yfail(c, n, "out of memory");
}

int yread_name(const struct yctx *c, const char *key, const struct ynode *n, bool lowercase,
               char **out)
{
    if (expect_value(c, key, n, "a name") != 0)
        return -1;
    n = ynode_deref(n);
    const char *charset = lowercase ? "abcdefghijklmnopqrstuvwxyz0123456789_-"
                                    : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789._-";
    if (n->len == 0 || n->len >= SPEC_MAX_NAME || strspn(n->text, charset) != n->len)
        return yfail(c, n, "invalid %s '%s': use 1 to %d characters from %s", key, n->text,
                     SPEC_MAX_NAME - 1, lowercase ? "[a-z0-9_-]" : "[A-Za-z0-9._-]");
    /* Names become folder and file names (samples/<workload>/...). */
    if (strcmp(n->text, ".") == 0 || strcmp(n->text, "..") == 0)
        return yfail(c, n, "invalid %s '%s': '.' and '..' name folders, not workloads", key,
                     n->text);
    return yread_string(c, key, n, out);
}

int yparse_u64(const char *text, size_t len, uint64_t *out)
{
    if (len == 0 || strspn(text, "0123456789") != len)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(text[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int yread_u64(const struct yctx *c, const char *key, const struct ynode *n, uint64_t min,
              uint64_t max, uint64_t *out)
{
    char buf[64];
    if (expect_value(c, key, n, "an integer") != 0)
        return -1;
    n = ynode_deref(n);
    uint64_t v = 0;
    int rc = n->tagged_str ? -1 : yparse_u64(n->text, n->len, &v);
    if (rc == -1 && n->text[0] == '-' && yparse_u64(n->text + 1, n->len - 1, &v) != -1)
        return yfail(c, n, "'%s' must not be negative, got %s", key, n->text);
    if (rc == -1)
        return yfail(c, n, "expected an integer for '%s', got %s", key,
                     ydescribe(n, buf, sizeof buf));
    if (rc == -2 || v < min || v > max)
        return yfail(c, n, "'%s' must be between %llu and %llu, got %s", key,
                     (unsigned long long)min, (unsigned long long)max, n->text);
    *out = v;
    return 0;
}

int yread_double(const struct yctx *c, const char *key, const struct ynode *n, double min,
                 bool min_open, double max, double *out)
{
    char buf[64];
    if (expect_value(c, key, n, "a number") != 0)
        return -1;
    n = ynode_deref(n);
    char *end = NULL;
    errno = 0;
    double v = n->tagged_str ? 0 : strtod(n->text, &end);
    /* strtod also takes hex, "inf" and "nan": accept decimal only. */
    if (n->tagged_str || end != n->text + n->len || strpbrk(n->text, "xXiInN") ||
        isspace((unsigned char)n->text[0]))
        return yfail(c, n, "expected a number for '%s', got %s", key, ydescribe(n, buf, sizeof buf));
    if (errno == ERANGE && isfinite(v) && fabs(v) < DBL_MIN)
        return yfail(c, n, "'%s' %s is below the smallest normal number (%g): too small to "
                           "compute with",
                     key, n->text, DBL_MIN);
    if (errno == ERANGE || !isfinite(v) || v < min || (min_open && v == min) || v > max) {
        /* Large maxima are only overflow guards: name just the lower bound
         * unless the value is above them. */
        if (max >= 1e6 && v <= max && isfinite(v))
            return yfail(c, n, "'%s' must be %s %g, got %s", key, min_open ? "above" : "at least",
                         min, n->text);
        return yfail(c, n, "'%s' must be %s %g and at most %g, got %s", key,
                     min_open ? "above" : "at least", min, max, n->text);
    }
    *out = v;
    return 0;
}

int yread_bool(const struct yctx *c, const char *key, const struct ynode *n, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", NULL};
    static const char *const no[] = {"false", "False", "FALSE", NULL};
    char buf[64];
    if (expect_value(c, key, n, "true or false") != 0)
        return -1;
    n = ynode_deref(n);
    for (size_t i = 0; yes[i] && !n->tagged_str; i++) {
        if (strcmp(n->text, yes[i]) == 0)
            return *out = true, 0;
        if (strcmp(n->text, no[i]) == 0)
            return *out = false, 0;
    }
    return yfail(c, n, "expected true or false for '%s', got %s", key,
                 ydescribe(n, buf, sizeof buf));
}

int yread_choice(const struct yctx *c, const char *key, const struct ynode *n,
                 const char *const choices[], int *out)
{
    if (expect_value(c, key, n, "a word") != 0)
        return -1;
    n = ynode_deref(n);
    for (int i = 0; choices[i]; i++) {
        if (strcmp(n->text, choices[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    char list[512];
    const char *near = yclosest(n->text, choices);
    if (near)
        return yfail(c, n, "unknown %s '%s' (did you mean '%s'?)", key, n->text, near);
    join_list(choices, list, sizeof list);
    return yfail(c, n, "unknown %s '%s' (expected one of: %s)", key, n->text, list);
}
