/* guard.c - the secret and the abort messages (see guard.h). */
#define _GNU_SOURCE
#include "guard.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "debug.h"

uintptr_t guard_secret;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* getrandom(2) when the kernel has it, else the 16 bytes the kernel gives
 * every process at exec (AT_RANDOM), mixed with the clock and an address. */
static void guard_init(void)
{
    int saved_errno = errno;
    uint64_t r = 0;
    if (syscall(SYS_getrandom, &r, sizeof r, 1 /* GRND_NONBLOCK */) != (long)sizeof r) {
        const uint64_t *at_random = (const uint64_t *)getauxval(AT_RANDOM);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        r = (at_random ? at_random[0] ^ at_random[1] : 0) ^ mix64((uint64_t)ts.tv_nsec) ^
            mix64((uintptr_t)&r);
    }
    errno = saved_errno;
    guard_secret = (uintptr_t)(mix64(r) | 1);
}

void guard_ensure(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, guard_init);
}

static size_t append(char *buf, size_t at, const char *s)
{
    size_t n = strlen(s);
    memcpy(buf + at, s, n);
    return at + n;
}

void guard_fail(enum guard_error what, const char *call, const void *pointer)
{
    static const char *const what_text[] = {
        [GUARD_DOUBLE_FREE] = "double free detected",
        [GUARD_INVALID_POINTER] = "invalid pointer (never returned by malloc, or already given back)",
        [GUARD_INTERIOR_POINTER] = "invalid pointer (inside an object, not its start)",
        [GUARD_FREE_OBJECT] = "pointer to a free object (double free, or never returned by malloc)",
    };
    char buf[256];
    size_t n = append(buf, 0, "allocscope_reference: ");
    n = append(buf, n, what_text[what]);
    n = append(buf, n, " in ");
    n = append(buf, n, call);
    n = append(buf, n, "(0x");
    char hex[16];
    uintptr_t v = (uintptr_t)pointer;
    int digits = 0;
    do {
        hex[digits++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (digits)
        buf[n++] = hex[--digits];
    n = append(buf, n, ")\n");
    ssize_t ignored = write(STDERR_FILENO, buf, n);
    (void)ignored;
    abort();
}

void guard_reject(enum guard_error what, const char *call, const void *pointer)
{
    guard_fail(what, call, pointer);
}

#if REF_DEBUG
#include <stdatomic.h>

static _Atomic unsigned long checks_run;

void debug_count_check(void)
{
    atomic_fetch_add_explicit(&checks_run, 1, memory_order_relaxed);
}

unsigned long debug_checks_run(void)
{
    return atomic_load_explicit(&checks_run, memory_order_relaxed);
}
#else
void debug_count_check(void)
{
}

unsigned long debug_checks_run(void)
{
    return 0;
}
#endif

void debug_assert_failed(const char *file, int line, const char *condition)
{
    char buf[512];
    size_t n = append(buf, 0, "allocscope_reference: internal check failed: ");
    size_t room = sizeof buf - 64;
    if (strlen(file) + strlen(condition) + n < room) {
        n = append(buf, n, file);
        buf[n++] = ':';
        char digits[12];
        int d = 0;
        do {
            digits[d++] = (char)('0' + line % 10);
            line /= 10;
        } while (line);
        while (d)
            buf[n++] = digits[--d];
        n = append(buf, n, ": ");
        n = append(buf, n, condition);
    }
    buf[n++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, buf, n);
    (void)ignored;
    abort();
}
