/* test_util.h - checks, patterns and probes shared by the reference
 * allocator's tests.  Header-only so each test stays one program. */
#ifndef REF_TEST_UTIL_H
#define REF_TEST_UTIL_H

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int test_failures;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            test_failures++;                                                    \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
        }                                                                       \
    } while (0)

#define FATAL(...)                                                              \
    do {                                                                        \
        fprintf(stderr, "%s:%d: fatal: ", __FILE__, __LINE__);                  \
        fprintf(stderr, __VA_ARGS__);                                           \
        fputc('\n', stderr);                                                    \
        exit(1);                                                                \
    } while (0)

/* The reference allocator exports this; glibc does not. */
static inline bool reference_is_loaded(void)
{
    return dlsym(RTLD_DEFAULT, "allocscope_reference_version") != NULL;
}

/* Fails the test when the allocator serving malloc is not the expected one:
 * ALLOCSCOPE_EXPECT=reference or ALLOCSCOPE_EXPECT=glibc. */
static inline void check_expected_allocator(void)
{
    const char *want = getenv("ALLOCSCOPE_EXPECT");
    if (!want)
        return;
    void *fn = dlsym(RTLD_NEXT, "malloc");
    Dl_info info;
    const char *lib = fn && dladdr(fn, &info) && info.dli_fname ? info.dli_fname : "?";
    bool is_ref = reference_is_loaded() && strstr(lib, "liballocscope_reference") != NULL;
    if (strcmp(want, "reference") == 0 && !is_ref)
        FATAL("expected the reference allocator to serve malloc, it is %s", lib);
    if (strcmp(want, "glibc") == 0 && (is_ref || !strstr(lib, "libc.so")))
        FATAL("expected glibc to serve malloc, it is %s", lib);
    printf("malloc served by %s\n", lib);
}

/* With ALLOCSCOPE_EXPECT_DEBUG=1 (the debug build is preloaded): fails the
 * test unless the allocator's invariant assertions really ran. */
static inline void check_debug_checks_ran(void)
{
    const char *want = getenv("ALLOCSCOPE_EXPECT_DEBUG");
    if (!want || strcmp(want, "1") != 0)
        return;
    unsigned long (*checks)(void) =
        (unsigned long (*)(void))dlsym(RTLD_DEFAULT, "allocscope_reference_debug_checks");
    unsigned long n = checks ? checks() : 0;
    if (n == 0)
        FATAL("expected the debug build of the reference allocator: no invariant checks ran");
    printf("%lu invariant checks ran in the allocator\n", n);
}

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* A byte pattern that depends on the block's tag and the offset. */
static inline unsigned char pattern_byte(uint64_t tag, size_t i)
{
    return (unsigned char)(mix64(tag + (i >> 3)) >> ((i & 7) * 8));
}

static inline void fill_pattern(void *p, size_t n, uint64_t tag)
{
    unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = pattern_byte(tag, i);
}

/* Index of the first wrong byte, or n. */
static inline size_t check_pattern(const void *p, size_t n, uint64_t tag)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != pattern_byte(tag, i))
            return i;
    return n;
}

/* Resident set size in bytes, from /proc/self/statm (no allocation). */
static inline size_t rss_bytes(void)
{
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    unsigned long size = 0, resident = 0;
    if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
        return 0;
    return resident * (size_t)sysconf(_SC_PAGESIZE);
}

static inline int test_finish(const char *name)
{
    check_debug_checks_ran();
    if (test_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif
