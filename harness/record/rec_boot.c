/* rec_boot.c - finding the real allocator, and surviving until it is found.
 *
 * dlsym(RTLD_NEXT, ...) gives the definition after this library: glibc's,
 * or that of an allocator preloaded after the recorder. dlsym itself calls
 * calloc and malloc (its error buffers) before any real function is known:
 * those calls, and only those, are served from a small static arena. Its
 * blocks are never given to the real allocator: free ignores them and
 * realloc moves them out. They are not recorded (the trace counts them in
 * its END record as boot_calls).
 *
 * The optional functions (memalign, valloc, pvalloc, aligned_alloc,
 * reallocarray, malloc_usable_size) are used only when they come from the
 * same library as malloc: jemalloc has no pvalloc, and glibc's pvalloc
 * with jemalloc's free crashes. Otherwise they are emulated with
 * posix_memalign and realloc (see rec_alloc.c).
 */
#define _GNU_SOURCE
#include "rec.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

struct rec_real rec_real;
volatile int rec_resolved;
int rec_clock_tsc;
uint64_t rec_boot_calls;

#define BOOT_ARENA_BYTES (64u << 10)
static _Alignas(4096) char boot_arena[BOOT_ARENA_BYTES];
static size_t boot_used;
static volatile int resolving; /* 1 while a thread runs dlsym */
static __thread int resolving_here REC_TLS;

bool rec_boot_owns(const void *p)
{
    return (const char *)p >= boot_arena && (const char *)p < boot_arena + BOOT_ARENA_BYTES;
}

bool rec_boot_active(void)
{
    return resolving_here;
}

/* Each block is preceded by its size, 16 bytes before it. */
void *rec_boot_alloc(size_t size, size_t align)
{
    if (align < 16)
        align = 16;
    size_t at = (boot_used + 16 + align - 1) & ~(align - 1);
    if (size > BOOT_ARENA_BYTES || at + size > BOOT_ARENA_BYTES)
        return NULL;
    boot_used = at + size;
    memcpy(boot_arena + at - 16, &size, sizeof size);
    rec_boot_calls++;
    return boot_arena + at;
}

size_t rec_boot_size(const void *p)
{
    size_t size;
    memcpy(&size, (const char *)p - 16, sizeof size);
    return size;
}

/* The kernel's clocksource, read without stdio (no allocation). */
static bool kernel_clock_is_tsc(void)
{
    int fd = open("/sys/devices/system/clocksource/clocksource0/current_clocksource",
                  O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[32] = "";
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n >= 3 && memcmp(buf, "tsc", 3) == 0 && (n == 3 || buf[3] == '\n');
}

/* rdtsc only where its stamps from different CPUs can be merged: an
 * invariant TSC that the kernel itself uses as its clock (it checks the
 * CPUs agree). Elsewhere (a VM on kvm-clock, for one) CLOCK_MONOTONIC. */
static void choose_clock(void)
{
    rec_clock_tsc = 0;
#if defined(__x86_64__) || defined(__i386__)
    const char *force = getenv("ALLOCSCOPE_RECORD_CLOCK");
    if (force && strcmp(force, "monotonic") == 0)
        return;
    unsigned a, b, c, d;
    if (!__get_cpuid(0x80000007, &a, &b, &c, &d) || !(d & (1u << 8)))
        return;
    rec_clock_tsc = kernel_clock_is_tsc() || (force && strcmp(force, "tsc") == 0);
#endif
}

static void *next_symbol(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

/* An optional function, if it comes from malloc's library. */
static void *same_library(const char *name, const Dl_info *malloc_info)
{
    void *f = next_symbol(name);
    Dl_info info;
    if (!f || !dladdr(f, &info) || info.dli_fbase != malloc_info->dli_fbase)
        return NULL;
    return f;
}

void rec_resolve(void)
{
    if (rec_resolved)
        return;
    /* One thread resolves; one that arrives meanwhile waits (this happens
     * only if threads exist before the first allocation). */
    while (__atomic_exchange_n(&resolving, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&resolving, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
        if (rec_resolved)
            return;
    }
    if (!rec_resolved) {
        resolving_here = 1;
        struct rec_real r = {0};
        r.malloc = (void *(*)(size_t))next_symbol("malloc");
        r.calloc = (void *(*)(size_t, size_t))next_symbol("calloc");
        r.realloc = (void *(*)(void *, size_t))next_symbol("realloc");
        r.free = (void (*)(void *))next_symbol("free");
        r.posix_memalign = (int (*)(void **, size_t, size_t))next_symbol("posix_memalign");
        Dl_info mi;
        if (r.malloc && dladdr((void *)r.malloc, &mi)) {
            r.reallocarray = (void *(*)(void *, size_t, size_t))same_library("reallocarray", &mi);
            r.aligned_alloc = (void *(*)(size_t, size_t))same_library("aligned_alloc", &mi);
            r.memalign = (void *(*)(size_t, size_t))same_library("memalign", &mi);
            r.valloc = (void *(*)(size_t))same_library("valloc", &mi);
            r.pvalloc = (void *(*)(size_t))same_library("pvalloc", &mi);
            r.malloc_usable_size = (size_t(*)(void *))same_library("malloc_usable_size", &mi);
        }
        if (!r.malloc || !r.calloc || !r.realloc || !r.free || !r.posix_memalign) {
            rec_say("allocscope record: cannot find the real malloc, calloc, realloc, free "
                    "and posix_memalign", "");
            _exit(127);
        }
        choose_clock();
        rec_real = r;
        resolving_here = 0;
        __atomic_store_n(&rec_resolved, 1, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&resolving, 0, __ATOMIC_RELEASE);
}
