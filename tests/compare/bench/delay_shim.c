/* delay_shim.c - a known slowdown for the detection benchmarks: preloaded,
 * it serves malloc from glibc (__libc_malloc) after
 *  - spinning for $ALLOCSCOPE_SHIM_DELAY_NS nanoseconds (clock_gettime
 *    calls: their own cost comes on top), or
 *  - running $ALLOCSCOPE_SHIM_SPIN iterations of an empty loop: a fixed
 *    number of instructions (about 3 per iteration with gcc -O2 on x86-64),
 *    the same on every call, so it shifts instructions per op by a known
 *    amount and time in proportion.
 * free, calloc and realloc are glibc's too, defined here only so that the
 * harness's check that the preloaded library serves the allocation
 * functions passes. */
#include <stdlib.h>
#include <time.h>

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *p);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

static long delay_ns = -1, spin = -1;

static long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

void *malloc(size_t size)
{
    if (delay_ns < 0) {
        /* getenv does not allocate */
        const char *e = getenv("ALLOCSCOPE_SHIM_DELAY_NS"), *s = getenv("ALLOCSCOPE_SHIM_SPIN");
        delay_ns = e ? atol(e) : 0;
        spin = s ? atol(s) : 0;
    }
    if (delay_ns > 0) {
        long until = now_ns() + delay_ns;
        while (now_ns() < until)
            ;
    }
    for (long i = 0; i < spin; i++)
        __asm__ volatile("" ::: "memory"); /* kept, and kept a loop */
    return __libc_malloc(size);
}

void free(void *p) { __libc_free(p); }
void *calloc(size_t n, size_t size) { return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { return __libc_realloc(p, size); }
