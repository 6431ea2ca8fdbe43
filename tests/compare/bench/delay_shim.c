/* delay_shim.c - a known slowdown for the detection benchmark: preloaded,
 * it serves malloc from glibc (__libc_malloc) after spinning for
 * $ALLOCSCOPE_SHIM_DELAY_NS nanoseconds. free, calloc and realloc are
 * glibc's too, defined here only so that the harness's check that the
 * preloaded library serves the allocation functions passes. */
#include <stdlib.h>
#include <time.h>

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *p);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

static long delay_ns = -1;

static long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

void *malloc(size_t size)
{
    if (delay_ns < 0) {
        const char *e = getenv("ALLOCSCOPE_SHIM_DELAY_NS"); /* getenv does not allocate */
        delay_ns = e ? atol(e) : 0;
    }
    if (delay_ns > 0) {
        long until = now_ns() + delay_ns;
        while (now_ns() < until)
            ;
    }
    return __libc_malloc(size);
}

void free(void *p) { __libc_free(p); }
void *calloc(size_t n, size_t size) { return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { return __libc_realloc(p, size); }
