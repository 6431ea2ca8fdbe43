/* known_program.c - a program whose allocation calls are known exactly,
 * recorded by test_known.py (issue: trace record and replay).
 *
 *   known_program full|skeleton exit|_exit|exec|hang
 *
 * `full` makes the calls counted in KNOWN below, from four threads: a
 * realloc chain, every aligned call, calloc and reallocarray, a thread
 * that exits while holding 1000 objects the main thread then frees, a
 * producer passing 500 objects through a pipe to a consumer that reallocs
 * every tenth and frees them all, a fork whose child allocates (and must
 * not be recorded), a 32 MiB block that makes the peak, and one object
 * left live at the end. `skeleton` does everything else the same way
 * (threads, pipe, fork, the end) without those calls, so whatever libc
 * itself allocates cancels out: the recorded counts of `full` minus
 * those of `skeleton` must be exactly KNOWN. The last argument says how
 * the process ends (hang: sleep until killed, after the calls).
 *
 * No stdio: its buffers would be allocations of their own. */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HELD 1000     /* objects the exiting thread leaves to main */
#define PASSED 500    /* objects the producer passes to the consumer */
#define BIG (32u << 20)

static bool full;
static void *held[HELD];

static void say(const char *s)
{
    ssize_t ignored = write(STDERR_FILENO, s, strlen(s));
    (void)ignored;
}

static void touch(void *p, size_t n)
{
    if (p)
        memset(p, 0x5a, n);
}

/* Allocates HELD objects and exits holding them. */
static void *holder(void *arg)
{
    (void)arg;
    for (int i = 0; full && i < HELD; i++) {
        held[i] = malloc(48);
        touch(held[i], 48);
    }
    return NULL;
}

static int pipe_fds[2];

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 0; i < PASSED; i++) {
        void *p = full ? malloc(256) : NULL;
        touch(p, 256);
        if (write(pipe_fds[1], &p, sizeof p) != sizeof p)
            _exit(3);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (int i = 0; i < PASSED; i++) {
        void *p;
        if (read(pipe_fds[0], &p, sizeof p) != sizeof p)
            _exit(3);
        if (full && i % 10 == 0)
            p = realloc(p, 512); /* in another thread than the allocation */
        if (full)
            free(p);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        say("usage: known_program full|skeleton exit|_exit|exec|hang\n");
        return 2;
    }
    full = strcmp(argv[1], "full") == 0;
    const char *end = argv[2];

    void *p1 = NULL, *p2 = NULL, *r = NULL, *a1 = NULL, *a2 = NULL, *a3 = NULL, *a4 = NULL,
         *a5 = NULL, *ra = NULL, *big = NULL, *leak = NULL;
    if (full) {
        p1 = malloc(100);
        p2 = calloc(10, 20);
        r = malloc(16); /* a realloc chain: grows, moves, shrinks */
        r = realloc(r, 64);
        r = realloc(r, 1024);
        r = realloc(r, 100000);
        r = realloc(r, 8);
        if (posix_memalign(&a1, 64, 200) != 0)
            return 4;
        a2 = aligned_alloc(4096, 8192);
        a3 = memalign(128, 300);
        a4 = valloc(1000);
        a5 = pvalloc(5000);
        ra = reallocarray(NULL, 10, 30);
        if (malloc_usable_size(p1) < 100)
            return 4;
        free(NULL);
        touch(p1, 100), touch(r, 8), touch(a1, 200), touch(a2, 8192), touch(a3, 300);
        touch(a4, 1000), touch(a5, 5000), touch(ra, 300);
    }

    pthread_t t1, t2, t3;
    if (pthread_create(&t1, NULL, holder, NULL) != 0 || pthread_join(t1, NULL) != 0)
        return 5;
    for (int i = 0; full && i < HELD; i++)
        free(held[i]); /* objects of a thread that has exited */

    if (pipe(pipe_fds) != 0 || pthread_create(&t2, NULL, producer, NULL) != 0 ||
        pthread_create(&t3, NULL, consumer, NULL) != 0 || pthread_join(t2, NULL) != 0 ||
        pthread_join(t3, NULL) != 0)
        return 5;

    pid_t child = fork();
    if (child == 0) { /* not recorded */
        for (int i = 0; i < 100; i++)
            free(malloc(64));
        _exit(0);
    }
    int status;
    if (child < 0 || waitpid(child, &status, 0) != child || status != 0)
        return 6;

    if (full) {
        big = malloc(BIG);
        touch(big, BIG);
        leak = malloc(777);
        touch(leak, 777);
        free(big);
        free(p1), free(p2), free(r), free(a1), free(a2), free(a3), free(a4), free(a5);
        free(ra);
    }
    (void)leak; /* still live at the end */

    if (strcmp(end, "_exit") == 0)
        _exit(0);
    if (strcmp(end, "exec") == 0) {
        execl("/bin/true", "true", (char *)NULL);
        return 7;
    }
    if (strcmp(end, "hang") == 0) {
        char line[64];
        int n = 0, pid = (int)getpid();
        char digits[16];
        int d = 0;
        do
            digits[d++] = (char)('0' + pid % 10);
        while (pid /= 10);
        memcpy(line, "hanging ", 8);
        n = 8;
        while (d)
            line[n++] = digits[--d];
        line[n++] = '\n';
        line[n] = '\0';
        say(line); /* the test kills us by this pid */
        for (;;)
            pause();
    }
    return 0;
}
