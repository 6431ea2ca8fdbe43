/* own_malloc.c - a program that brings its own malloc: a bump allocator
 * linked into the executable. Built statically (LD_PRELOAD cannot reach it)
 * and dynamically with its symbols exported (it interposes on the
 * preloaded allocator, the executable being first in the search order).
 * Either way allocscope must report it as bypassing the allocator. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static _Alignas(64) unsigned char arena[64 << 20];
static size_t used;

void *malloc(size_t n)
{
    size_t at = (used + 15) & ~(size_t)15;
    if (n > sizeof arena - at - 16) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(arena + at, &n, sizeof n);
    used = at + 16 + n;
    return arena + at + 16;
}
void free(void *p) { (void)p; }
void *calloc(size_t a, size_t b)
{
    void *p = b && a > SIZE_MAX / b ? NULL : malloc(a * b);
    return p ? memset(p, 0, a * b) : NULL;
}
void *realloc(void *p, size_t n)
{
    void *q = malloc(n);
    if (q && p) {
        size_t old;
        memcpy(&old, (unsigned char *)p - 16, sizeof old);
        memcpy(q, p, old < n ? old : n);
    }
    return q;
}
void *memalign(size_t align, size_t n)
{
    used = (used + align + 15) & ~(align - 1);
    used -= 16;
    return malloc(n);
}
int posix_memalign(void **out, size_t align, size_t n)
{
    *out = memalign(align, n);
    return *out ? 0 : ENOMEM;
}
void *aligned_alloc(size_t align, size_t n) { return memalign(align, n); }
void *valloc(size_t n) { return memalign(4096, n); }
void *pvalloc(size_t n) { return memalign(4096, (n + 4095) & ~(size_t)4095); }
size_t malloc_usable_size(void *p)
{
    size_t n;
    memcpy(&n, (unsigned char *)p - 16, sizeof n);
    return n;
}

int main(void)
{
    char *s = malloc(100);
    snprintf(s, 100, "hello from my own malloc");
    puts(s);
    return 0;
}
