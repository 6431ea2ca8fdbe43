/* xalloc.h - allocation for the parent side (never the worker):
 * running out of memory there is not recoverable, so these print and
 * abort instead of returning NULL. */
#ifndef ALLOCSCOPE_XALLOC_H
#define ALLOCSCOPE_XALLOC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void *xalloc_check(void *p)
{
    if (!p) {
        fputs("allocscope: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* calloc that never returns NULL (n = 0 still gives a freeable block). */
static inline void *xcalloc(size_t n, size_t size)
{
    return xalloc_check(calloc(n ? n : 1, size));
}

static inline void *xrealloc(void *p, size_t n)
{
    return xalloc_check(realloc(p, n ? n : 1));
}

/* strdup that never fails; NULL stays NULL. */
static inline char *xstrdup(const char *s)
{
    return s ? xalloc_check(strdup(s)) : NULL;
}

#endif
