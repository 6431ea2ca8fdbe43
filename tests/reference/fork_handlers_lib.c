/* fork_handlers_lib.c - a library whose constructor registers atfork
 * handlers that allocate, linked into fork_handlers as a DT_NEEDED library.
 *
 * Constructors of DT_NEEDED libraries run before those of LD_PRELOADed
 * ones, so these handlers are registered *before* the allocator's own:
 * prepare handlers run in reverse order of registration, so this prepare
 * runs after the allocator's (which then holds every allocator lock), and
 * this library's parent and child handlers run before the allocator's (its
 * locks are still held).  The constructor also allocates before the
 * allocator's constructor has run.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "fork_handlers_lib.h"

static atomic_uint calls[HANDLER_KINDS];
static void *kept; /* allocated in the constructor, freed in a handler */

void handler_allocate(int tag)
{
    /* a small object, one of a fitted class, a span, calloc and realloc */
    char *a = malloc(40);
    char *b = malloc(20000);
    char *c = malloc(300000);
    char *d = calloc(100, 7);
    if (!a || !b || !c || !d)
        abort();
    memset(a, tag, 40);
    b[0] = b[19999] = (char)tag;
    c[0] = c[299999] = (char)tag;
    char *e = realloc(a, 5000);
    if (!e || e[39] != (char)tag || d[699] != 0)
        abort();
    free(e);
    free(b);
    free(c);
    free(d);
}

#define HANDLER(name, kind)                                                     \
    static void name(void)                                                      \
    {                                                                           \
        handler_allocate(kind);                                                 \
        atomic_fetch_add(&calls[kind], 1);                                      \
    }
HANDLER(early_prepare, EARLY_PREPARE)
HANDLER(early_parent, EARLY_PARENT)
HANDLER(early_child, EARLY_CHILD)

__attribute__((constructor)) static void register_early(void)
{
    /* registered before the process's first malloc, then that malloc, both
     * before the allocator's constructor runs */
    pthread_atfork(early_prepare, early_parent, early_child);
    kept = malloc(12345);
    if (!kept)
        abort();
}

unsigned handler_calls(enum handler_kind kind)
{
    if (kept) { /* freed on first use, from the program */
        free(kept);
        kept = NULL;
    }
    return atomic_load(&calls[kind]);
}
