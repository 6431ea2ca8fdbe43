/* yaml_tree.h - one YAML document as a tree of nodes, built from libyaml's
 * event parser, with the safety checks every allocscope file gets:
 *
 *  - syntax and encoding errors (libyaml's own, with their position);
 *  - exactly one document; an empty stream is an error;
 *  - only the core tags (!!str, !!int, !!float, !!bool, !!null, !!map,
 *    !!seq), each on a node of its kind;
 *  - anchors and aliases: an alias must name an anchor that is already
 *    complete (so `&a [*a]` is rejected and the tree has no cycles), and
 *    the nodes reached through aliases are counted: more than
 *    YTREE_MAX_ALIAS_NODES is an error at the alias ("billion laughs");
 *  - nesting deeper than YTREE_MAX_DEPTH;
 *  - mapping keys are scalars and unique.
 *
 * The tree is read-only afterwards; aliases stay as YNODE_ALIAS nodes that
 * point at their anchored node, and readers look through them with
 * ynode_deref().
 */
#ifndef ALLOCSCOPE_YAML_TREE_H
#define ALLOCSCOPE_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

#define YTREE_MAX_ALIAS_NODES 100000
#define YTREE_MAX_DEPTH 64

enum ynode_kind {
    YNODE_SCALAR,
    YNODE_SEQUENCE,
    YNODE_MAPPING,
    YNODE_ALIAS,
};

struct ynode {
    enum ynode_kind kind;
    unsigned line, col; /* 1-based start of the node */

    /* YNODE_SCALAR: text is NUL-terminated, len excludes the NUL. */
    char *text;
    size_t len;
    bool plain;        /* written without quotes or block style */
    bool tagged_str;   /* explicit !!str: never null, never a number */

    /* YNODE_SEQUENCE: items[0..count). YNODE_MAPPING: count pairs stored
     * as items[2i] = key (a scalar), items[2i+1] = value. */
    struct ynode **items;
    size_t count;
    size_t cap;

    /* YNODE_ALIAS: the anchored node, never itself an alias. */
    struct ynode *target;

    /* Builder state: nodes this one stands for once aliases are expanded
     * (saturating), and whether the node is still being built. */
    uint64_t expanded;
    bool open;
};

struct ydoc {
    struct ynode *root;
    struct ynode **nodes; /* every node, for ydoc_free */
    size_t node_count, node_cap;
};

/* Parse `len` bytes of `text` (need not be NUL-terminated). On success
 * returns 0 and fills *doc (root != NULL). On failure returns -1 and writes
 * "FILE:LINE:COL: message" to *err, with `file` as FILE. */
int ydoc_parse(struct ydoc *doc, const char *file, const char *text, size_t len,
               struct spec_error *err);

void ydoc_free(struct ydoc *doc);

static inline const struct ynode *ynode_deref(const struct ynode *n)
{
    return n && n->kind == YNODE_ALIAS ? n->target : n;
}

#endif
