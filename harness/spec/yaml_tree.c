/* yaml_tree.c - libyaml events -> struct ynode tree, with the checks listed
 * in yaml_tree.h. The builder keeps an explicit stack of open collections,
 * so nesting depth never grows the C stack. */
#include "yaml_tree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yaml_strmap.h"

#define CORE_TAG_PREFIX "tag:yaml.org,2002:"

struct builder {
    struct ydoc *doc;
    const char *file;
    struct spec_error *err;
    struct ynode *stack[YTREE_MAX_DEPTH];
    size_t depth;
    struct strmap anchors; /* name -> struct ynode * (latest definition) */
    uint64_t alias_nodes;  /* nodes reached through aliases so far */
    unsigned documents;
};

static int fail_at(struct builder *b, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(struct builder *b, size_t line, size_t col, const char *fmt, ...)
{
    char text[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    snprintf(b->err->message, sizeof b->err->message, "%s:%zu:%zu: %s", b->file, line, col, text);
    return -1;
}

static int fail_mark(struct builder *b, yaml_mark_t m, const char *what)
{
    return fail_at(b, m.line + 1, m.column + 1, "%s", what);
}

/* libyaml's reader reports a byte offset, not a mark: count lines and
 * characters (UTF-8 lead bytes) up to it. */
static void offset_to_position(const char *text, size_t len, size_t offset, size_t *line,
                               size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            (*line)++;
            *col = 1;
        } else if ((c & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

static int syntax_error(struct builder *b, const yaml_parser_t *p, const char *text, size_t len)
{
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_MEMORY_ERROR)
        return fail_at(b, 1, 1, "out of memory while parsing");
    if (p->error == YAML_READER_ERROR) {
        size_t line, col;
        offset_to_position(text, len, p->problem_offset, &line, &col);
        if (p->problem_value >= 0)
            return fail_at(b, line, col, "%s (byte 0x%02X): files must be UTF-8 text", problem,
                           (unsigned)p->problem_value & 0xFFu);
        return fail_at(b, line, col, "%s: files must be UTF-8 text", problem);
    }
    size_t line = p->problem_mark.line + 1, col = p->problem_mark.column + 1;
    if (p->context)
        return fail_at(b, line, col, "YAML syntax error: %s %s (started at %zu:%zu)", problem,
                       p->context, (size_t)p->context_mark.line + 1,
                       (size_t)p->context_mark.column + 1);
    return fail_at(b, line, col, "YAML syntax error: %s", problem);
}

/* Tags: none, the non-specific "!", or a core tag matching the node kind. */
static int check_tag(struct builder *b, const yaml_event_t *ev, const char *tag,
                     enum ynode_kind kind, bool *is_str)
{
    static const char *const scalar_tags[] = {"str", "int", "float", "bool", "null"};
    *is_str = false;
    if (!tag || strcmp(tag, "!") == 0)
        return 0;
    if (strncmp(tag, CORE_TAG_PREFIX, strlen(CORE_TAG_PREFIX)) == 0) {
        const char *name = tag + strlen(CORE_TAG_PREFIX);
        bool ok = false;
        if (kind == YNODE_SCALAR) {
            for (size_t i = 0; i < sizeof scalar_tags / sizeof scalar_tags[0]; i++)
                ok = ok || strcmp(name, scalar_tags[i]) == 0;
            *is_str = strcmp(name, "str") == 0;
        } else {
            ok = strcmp(name, kind == YNODE_MAPPING ? "map" : "seq") == 0;
        }
        if (ok)
            return 0;
        return fail_at(b, ev->start_mark.line + 1, ev->start_mark.column + 1,
                       "tag !!%s does not fit a %s", name,
                       kind == YNODE_SCALAR     ? "scalar"
                       : kind == YNODE_MAPPING ? "mapping"
                                               : "sequence");
    }
    return fail_at(b, ev->start_mark.line + 1, ev->start_mark.column + 1,
                   "unsupported tag '%s' (only the core tags !!str, !!int, !!float, !!bool, "
                   "!!null, !!seq and !!map are allowed)",
                   tag);
}

static struct ynode *new_node(struct builder *b, enum ynode_kind kind, yaml_mark_t at)
{
    struct ydoc *d = b->doc;
    if (d->node_count == d->node_cap) {
        size_t cap = d->node_cap ? d->node_cap * 2 : 64;
        struct ynode **nodes = realloc(d->nodes, cap * sizeof *nodes);
        if (!nodes)
            return NULL;
        d->nodes = nodes;
        d->node_cap = cap;
    }
    struct ynode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    d->nodes[d->node_count++] = n;
    n->kind = kind;
    n->line = (unsigned)at.line + 1;
    n->col = (unsigned)at.column + 1;
    n->expanded = 1;
    return n;
}

static int append_item(struct ynode *parent, struct ynode *child)
{
    if (parent->count == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        struct ynode **items = realloc(parent->items, cap * sizeof *items);
        if (!items)
            return -1;
        parent->items = items;
        parent->cap = cap;
    }
    parent->items[parent->count++] = child;
    return 0;
}

static uint64_t saturating_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

/* Attach a finished (or, for collections, just opened) node to its parent. */
static int attach(struct builder *b, struct ynode *n)
{
    if (b->depth == 0) {
        b->doc->root = n;
        return 0;
    }
    struct ynode *parent = b->stack[b->depth - 1];
    if (parent->kind == YNODE_MAPPING && parent->count % 2 == 0 &&
        ynode_deref(n)->kind != YNODE_SCALAR)
        return fail_at(b, n->line, n->col, "mapping keys must be scalars");
    if (append_item(parent, n) != 0)
        return fail_at(b, n->line, n->col, "out of memory");
    return 0;
}

static int register_anchor(struct builder *b, const char *anchor, struct ynode *n)
{
    if (anchor && strmap_put(&b->anchors, anchor, n) != 0)
        return fail_at(b, n->line, n->col, "out of memory");
    return 0;
}

static int compare_keys(const void *pa, const void *pb)
{
    const struct ynode *const *a = pa, *const *b = pb;
    const struct ynode *ka = ynode_deref(*a), *kb = ynode_deref(*b);
    int c = strcmp(ka->text, kb->text);
    if (c != 0)
        return c;
    return (*a > *b) - (*a < *b); /* keep document order among equal keys */
}

/* Sort the keys to find duplicates in O(n log n); report the duplicate
 * that comes first in the document. Node addresses are not in document
 * order, so compare positions. */
static int check_duplicate_keys(struct builder *b, struct ynode *map)
{
    size_t n = map->count;
    if (n < 2)
        return 0;
    struct ynode **keys = malloc(n * sizeof *keys);
    if (!keys)
        return fail_at(b, map->line, map->col, "out of memory");
    for (size_t i = 0; i < n; i++)
        keys[i] = map->items[2 * i];
    qsort(keys, n, sizeof *keys, compare_keys);
    const struct ynode *dup = NULL, *first = NULL;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(ynode_deref(keys[i - 1])->text, ynode_deref(keys[i])->text) != 0)
            continue;
        /* Within a group of equal keys, find the earliest and the second. */
        size_t j = i - 1, end = i;
        while (end < n && strcmp(ynode_deref(keys[j])->text, ynode_deref(keys[end])->text) == 0)
            end++;
        const struct ynode *e1 = keys[j], *e2 = NULL;
        for (size_t k = j + 1; k < end; k++) {
            const struct ynode *x = keys[k];
            if (x->line < e1->line || (x->line == e1->line && x->col < e1->col)) {
                e2 = e1;
                e1 = x;
            } else if (!e2 || x->line < e2->line || (x->line == e2->line && x->col < e2->col)) {
                e2 = x;
            }
        }
        if (!dup || e2->line < dup->line || (e2->line == dup->line && e2->col < dup->col)) {
            dup = e2;
            first = e1;
        }
        i = end - 1;
    }
    free(keys);
    if (dup)
        return fail_at(b, dup->line, dup->col, "duplicate key '%s' (first at %u:%u)",
                       ynode_deref(dup)->text, first->line, first->col);
    return 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
    bool is_str;
    if (check_tag(b, ev, (const char *)ev->data.scalar.tag, YNODE_SCALAR, &is_str) != 0)
        return -1;
    struct ynode *n = new_node(b, YNODE_SCALAR, ev->start_mark);
    if (!n)
        return fail_mark(b, ev->start_mark, "out of memory");
    n->len = ev->data.scalar.length;
    n->text = malloc(n->len + 1);
    if (!n->text)
        return fail_mark(b, ev->start_mark, "out of memory");
    memcpy(n->text, ev->data.scalar.value, n->len);
    n->text[n->len] = '\0';
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    n->tagged_str = is_str;
    if (register_anchor(b, (const char *)ev->data.scalar.anchor, n) != 0)
        return -1;
    return attach(b, n);
}

static int on_collection_start(struct builder *b, const yaml_event_t *ev, enum ynode_kind kind)
{
    const yaml_char_t *tag = kind == YNODE_MAPPING ? ev->data.mapping_start.tag
                                                   : ev->data.sequence_start.tag;
    const yaml_char_t *anchor = kind == YNODE_MAPPING ? ev->data.mapping_start.anchor
                                                      : ev->data.sequence_start.anchor;
    bool is_str;
    if (check_tag(b, ev, (const char *)tag, kind, &is_str) != 0)
        return -1;
    if (b->depth == YTREE_MAX_DEPTH)
        return fail_at(b, ev->start_mark.line + 1, ev->start_mark.column + 1,
                       "nesting deeper than %d levels", YTREE_MAX_DEPTH);
    struct ynode *n = new_node(b, kind, ev->start_mark);
    if (!n)
        return fail_mark(b, ev->start_mark, "out of memory");
    n->open = true;
    /* Registered now, while open, so an alias inside it is seen as a cycle. */
    if (register_anchor(b, (const char *)anchor, n) != 0 || attach(b, n) != 0)
        return -1;
    b->stack[b->depth++] = n;
    return 0;
}

static int on_collection_end(struct builder *b)
{
    struct ynode *n = b->stack[--b->depth];
    n->open = false;
    for (size_t i = 0; i < n->count; i++)
        n->expanded = saturating_add(n->expanded, n->items[i]->expanded);
    if (n->kind != YNODE_MAPPING)
        return 0;
    n->count /= 2; /* while open it counted keys and values; now pairs */
    return check_duplicate_keys(b, n);
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    struct ynode *target = strmap_get(&b->anchors, name);
    size_t line = ev->start_mark.line + 1, col = ev->start_mark.column + 1;
    if (!target)
        return fail_at(b, line, col, "alias *%s refers to an unknown anchor", name);
    if (target->open)
        return fail_at(b, line, col,
                       "alias *%s refers to its own enclosing anchor &%s (a cycle)", name, name);
    b->alias_nodes = saturating_add(b->alias_nodes, target->expanded);
    if (b->alias_nodes > YTREE_MAX_ALIAS_NODES)
        return fail_at(b, line, col,
                       "aliases expand to more than %d nodes (alias bomb?) at alias *%s",
                       YTREE_MAX_ALIAS_NODES, name);
    struct ynode *n = new_node(b, YNODE_ALIAS, ev->start_mark);
    if (!n)
        return fail_mark(b, ev->start_mark, "out of memory");
    n->target = target;
    n->expanded = target->expanded;
    return attach(b, n);
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->documents > 1)
            return fail_mark(b, ev->start_mark,
                             "a second YAML document: a file holds exactly one");
        return 0;
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_collection_start(b, ev, YNODE_SEQUENCE);
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(b, ev, YNODE_MAPPING);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_collection_end(b);
    case YAML_ALIAS_EVENT:
        return on_alias(b, ev);
    default:
        return 0;
    }
}

int ydoc_parse(struct ydoc *doc, const char *file, const char *text, size_t len,
               struct spec_error *err)
{
    memset(doc, 0, sizeof *doc);
    struct builder b = {.doc = doc, .file = file, .err = err};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return fail_at(&b, 1, 1, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);

    int rc = 0;
    for (bool done = false; !done && rc == 0;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = syntax_error(&b, &parser, text, len);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(&b, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    strmap_free(&b.anchors);
    if (rc == 0 && !doc->root)
        rc = fail_at(&b, 1, 1, "the file is empty (it holds no YAML document)");
    if (rc != 0)
        ydoc_free(doc);
    return rc;
}

void ydoc_free(struct ydoc *doc)
{
    for (size_t i = 0; i < doc->node_count; i++) {
        free(doc->nodes[i]->text);
        free(doc->nodes[i]->items);
        free(doc->nodes[i]);
    }
    free(doc->nodes);
    memset(doc, 0, sizeof *doc);
}
