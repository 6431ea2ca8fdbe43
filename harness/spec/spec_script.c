/* spec_script.c - explicit op scripts (`script:` phases).
 *
 * Each op is {op, obj, size, align}. Names are numbered as they first
 * appear; a name keeps its number for the whole script, and every
 * anonymous allocation gets a number of its own, so script_objects is the
 * number of distinct slots the script uses. The checker replays liveness:
 * free/realloc need a live object, an allocation needs a dead or new name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec_parse.h"
#include "yaml_strmap.h"

static const char *const op_names[] = {
    "malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc", "free", NULL,
};
static const char *const op_keys[] = {"op", "obj", "size", "align", NULL};

struct slot_state {
    bool live;
    const struct ynode *last_op; /* the op that last allocated or freed it */
};

struct script_check {
    struct strmap names; /* name -> (void *)(uintptr_t)(slot + 1) */
    struct slot_state *slots;
    uint32_t slot_count;
};

static bool is_alloc(enum script_op_kind k)
{
    return k != SCRIPT_REALLOC && k != SCRIPT_FREE;
}

static bool is_aligned(enum script_op_kind k)
{
    return k == SCRIPT_POSIX_MEMALIGN || k == SCRIPT_ALIGNED_ALLOC;
}

static int new_slot(struct script_check *s, uint32_t *slot)
{
    /* At most one slot per op, and ops are capped, so no growth policy. */
    *slot = s->slot_count++;
    s->slots[*slot] = (struct slot_state){0};
    return 0;
}

/* The slot for `name`: existing, or new when `create`; -1 with an error. */
static int name_slot(const struct yctx *c, struct script_check *s, const struct ynode *obj,
                     const char *name, bool create, uint32_t *slot)
{
    uintptr_t v = (uintptr_t)strmap_get(&s->names, name);
    if (v) {
        *slot = (uint32_t)(v - 1);
        return 0;
    }
    if (!create)
        return yfail(c, obj, "object '%s' was never allocated earlier in the script", name);
    new_slot(s, slot);
    if (strmap_put(&s->names, name, (void *)(uintptr_t)(*slot + 1)) != 0)
        return yfail(c, obj, "out of memory");
    return 0;
}

static int read_op(const struct yctx *c, struct script_check *s, const struct ynode *n,
                   struct script_op *op)
{
    if (yexpect_mapping(c, "script op", n) != 0)
        return -1;
    n = ynode_deref(n);
    if (ymap_check_keys(c, n, "a script op", op_keys) != 0)
        return -1;
    op->pos = (struct source_pos){c->file, n->line, n->col};
    const struct ynode *kind_node = ymap_get(n, "op"), *obj = ymap_get(n, "obj"),
                       *size = ymap_get(n, "size"), *align = ymap_get(n, "align");
    int kind;
    if (!kind_node)
        return yfail(c, n, "a script op needs 'op' (one of malloc, calloc, realloc, "
                           "posix_memalign, aligned_alloc, free)");
    if (yread_choice(c, "op", kind_node, op_names, &kind) != 0)
        return -1;
    op->kind = (enum script_op_kind)kind;
    const char *op_name = op_names[kind];

    if (op->kind == SCRIPT_FREE && size)
        return yfail(c, ymap_key(n, "size"), "'free' takes no 'size'");
    if (op->kind != SCRIPT_FREE && !size)
        return yfail(c, n, "'%s' needs 'size'", op_name);
    if (size && spec_read_size(c, "size", size, op->kind == SCRIPT_REALLOC ? 1 : 0,
                               SPEC_MAX_OBJECT_SIZE, &op->size) != 0)
        return -1;
    if (is_aligned(op->kind) != (align != NULL))
        return align ? yfail(c, ymap_key(n, "align"), "'%s' takes no 'align'", op_name)
                     : yfail(c, n, "'%s' needs 'align'", op_name);
    if (align) {
        if (spec_read_size(c, "align", align, 8, 1ULL << 20, &op->align) != 0)
            return -1;
        if (op->align & (op->align - 1))
            return yfail(c, align, "'align' must be a power of two, got %s",
                         ynode_deref(align)->text);
        if (op->kind == SCRIPT_ALIGNED_ALLOC && op->size % op->align != 0)
            return yfail(c, size, "aligned_alloc needs a size that is a multiple of align %llu, "
                                  "got %llu", (unsigned long long)op->align,
                         (unsigned long long)op->size);
    }

    char *name = NULL;
    if (obj && yread_name(c, "obj", obj, false, &name) != 0)
        return -1;
    if (!obj && !is_alloc(op->kind))
        return yfail(c, n, "'%s' needs 'obj', the name of a live object", op_name);
    int rc = 0;
    if (!name)
        rc = new_slot(s, &op->object); /* anonymous: live until teardown */
    else
        rc = name_slot(c, s, obj, name, is_alloc(op->kind), &op->object);
    struct slot_state *st = rc == 0 ? &s->slots[op->object] : NULL;
    if (rc == 0 && is_alloc(op->kind) && st->live)
        rc = yfail(c, obj, "object '%s' is still live (allocated at %u:%u): free it first",
                   name, st->last_op->line, st->last_op->col);
    else if (rc == 0 && !is_alloc(op->kind) && !st->live)
        rc = yfail(c, obj, "object '%s' was already freed at %u:%u", name, st->last_op->line,
                   st->last_op->col);
    free(name);
    if (rc != 0)
        return -1;
    if (op->kind != SCRIPT_REALLOC) {
        st->live = op->kind != SCRIPT_FREE;
        st->last_op = n;
    }
    return 0;
}

int spec_read_script(const struct yctx *c, const struct ynode *n, struct phase_spec *p)
{
    if (yexpect_sequence(c, "script", n) != 0)
        return -1;
    n = ynode_deref(n);
    if (n->count == 0 || n->count > SPEC_MAX_SCRIPT_OPS)
        return yfail(c, n, "'script' needs 1 to %d ops, got %zu", SPEC_MAX_SCRIPT_OPS, n->count);
    struct script_check s = {0};
    p->script = calloc(n->count, sizeof *p->script);
    s.slots = calloc(n->count, sizeof *s.slots);
    int rc = p->script && s.slots ? 0 : yfail(c, n, "out of memory");
    for (size_t i = 0; rc == 0 && i < n->count; i++)
        rc = read_op(c, &s, n->items[i], &p->script[i]);
    p->script_len = rc == 0 ? n->count : 0;
    p->script_objects = s.slot_count;
    strmap_free(&s.names);
    free(s.slots);
    return rc;
}
