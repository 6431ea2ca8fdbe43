/* hardening.c - invalid and double frees end in a clear message and
 * SIGABRT, never in silent corruption or a SIGSEGV.  Each case runs in a
 * child process whose stderr is captured; the parent checks how it died
 * and what it said.  Reference allocator only (run with each build:
 * default, strict, debug); `hardening LEVEL` says which guarantees apply:
 * "default" or "strict" (see allocators/reference/src/guard.h).
 */
#include "test_util.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

static bool strict;
static char global_block[64];

static void *opaque(void *p) /* keeps the compiler from reasoning about p */
{
    __asm__ volatile("" : "+r"(p));
    return p;
}

static void double_free_small(void)
{
    char *p = malloc(40);
    free(p);
    free(opaque(p));
}

static void *free_in_thread(void *p)
{
    free(p);
    return NULL;
}

/* the first free puts the object in another (exited) thread's cache... */
static void double_free_across_threads(void)
{
    char *p = malloc(100);
    pthread_t t;
    pthread_create(&t, NULL, free_in_thread, p);
    pthread_join(t, NULL);
    free(opaque(p));
}

/* ...or back in its run, by a flush (a neighbour keeps the run alive) */
static void double_free_after_flush(void)
{
    char *keep = malloc(200), *p = malloc(200);
    free(p);
    malloc_trim(0);
    free(opaque(p));
    free(keep);
}

/* ...or in a run that was released and given back to the OS: the
 * default build may crash reading the header of memory it no longer has */
static void double_free_given_back(void)
{
    char *p = malloc(200);
    free(p);
    malloc_trim(0);
    free(opaque(p));
}

static void double_free_span(void)
{
    char *p = malloc(1 << 20);
    p[0] = 1;
    free(p);
    free(opaque(p));
}

/* a span whose memory the allocator has given back to the OS */
static void double_free_span_given_back(void)
{
    char *p = malloc((size_t)300 << 20);
    p[0] = 1;
    free(p);
    malloc_trim(0);
    free(opaque(p));
}

static void interior_misaligned(void)
{
    char *p = malloc(64);
    free(opaque(p + 8));
}

/* p + 16 is 16-aligned: the strict build refuses it at once, the default
 * build when it reaches its run (here: the flush by malloc_trim) */
static void interior_aligned(void)
{
    char *p = malloc(64);
    free(opaque(p + 16));
    malloc_trim(0);
}

static void interior_span(void)
{
    char *p = malloc(300000);
    free(opaque(p + 65536));
    malloc_trim(0);
}

/* an object boundary never handed out: the next object in a fresh run */
static void never_allocated(void)
{
    char *p = malloc(4000);
    free(opaque(p + 4096));
    malloc_trim(0);
}

static void realloc_freed(void)
{
    char *p = malloc(300);
    free(p);
    p = realloc(opaque(p), 600);
    free(p);
}

static void usable_size_freed_span(void)
{
    char *p = malloc(5 << 20);
    free(p);
    printf("%zu\n", malloc_usable_size(opaque(p)));
}

static void free_global(void)
{
    free(opaque(global_block + 16));
}

static void free_stack(void)
{
    char local[64];
    free(opaque(local + 16));
}

struct death {
    const char *name;
    void (*run)(void);
    const char *message; /* expected on stderr */
    bool strict_only;    /* the default build does not promise a message */
};

static const struct death deaths[] = {
    { "double free, small", double_free_small, "double free detected in free(", false },
    { "double free, freed by another thread", double_free_across_threads, "double free detected in free(", false },
    { "double free, object back in its run", double_free_after_flush, "double free detected in free(", false },
    { "double free, run given back to the OS", double_free_given_back, "allocscope_reference: ", true },
    { "double free, span", double_free_span, "double free detected in free(", false },
    { "double free, span given back to the OS", double_free_span_given_back, "allocscope_reference: ", false },
    { "interior pointer, misaligned", interior_misaligned, "inside an object", false },
    { "interior pointer, aligned", interior_aligned, "inside an object", false },
    { "interior pointer of a span", interior_span, "invalid pointer", false },
    { "object never handed out", never_allocated, "never returned by malloc", false },
    { "realloc of a freed pointer", realloc_freed, "double free detected in realloc(", false },
    { "malloc_usable_size of a freed span", usable_size_freed_span, "in malloc_usable_size(", false },
    { "free of a global", free_global, "invalid pointer", true },
    { "free of a stack address", free_stack, "invalid pointer", true },
};

static void expect_death(const struct death *d)
{
    int err[2];
    if (pipe(err) != 0)
        FATAL("pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        FATAL("fork");
    if (pid == 0) {
        dup2(err[1], STDERR_FILENO);
        close(err[0]);
        close(err[1]);
        d->run();
        _exit(0); /* survived: the check missed it */
    }
    close(err[1]);
    char text[1024];
    size_t n = 0;
    ssize_t got;
    while (n < sizeof text - 1 && (got = read(err[0], text + n, sizeof text - 1 - n)) > 0)
        n += (size_t)got;
    text[n] = 0;
    close(err[0]);
    int status;
    waitpid(pid, &status, 0);
    bool aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    bool said = strstr(text, d->message) != NULL;
    CHECK(aborted && said, "%s: %s, stderr \"%s\" (expected SIGABRT and \"%s\")", d->name,
          WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exited", text, d->message);
    printf("%-42s %s", d->name, aborted && said ? "aborted with: " : "NOT CAUGHT\n");
    if (aborted && said)
        fputs(strstr(text, "allocscope_reference: ") ? strstr(text, "allocscope_reference: ") : text, stdout);
}

int main(int argc, char **argv)
{
    strict = argc > 1 && strcmp(argv[1], "strict") == 0;
    check_expected_allocator();
    if (!reference_is_loaded())
        FATAL("run with the reference allocator preloaded");
    for (size_t i = 0; i < sizeof deaths / sizeof deaths[0]; i++)
        if (strict || !deaths[i].strict_only)
            expect_death(&deaths[i]);
    /* a write to a freed object cannot steer a later malloc: there is no
     * link in it to corrupt */
    char *a = malloc(48), *b = malloc(48);
    free(a);
    memset(a, 0x41, 8); /* use after free: the first word, where a list link would be */
    char *c = malloc(48), *d = malloc(48);
    CHECK(c == a && d != a && d != b, "malloc after a use-after-free write: %p %p (a %p b %p)", (void *)c,
          (void *)d, (void *)a, (void *)b);
    free(b);
    free(c);
    free(d);
    return test_finish("hardening");
}
