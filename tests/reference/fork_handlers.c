/* fork_handlers.c - fork stays safe whatever the atfork handlers do and
 * in whatever order they were registered: handlers that allocate in
 * prepare, parent and child, registered before the allocator's own (by a
 * DT_NEEDED library's constructor, fork_handlers_lib.c) and after them (by
 * main); forks from one thread, then from many threads at once, while
 * other threads allocate.  A deadlock shows as a child (or the parent's
 * fork) that does not finish: the child is killed, or the watchdog alarm
 * fires, and the test fails.
 *
 *   fork_handlers [forks per thread] [forking threads]
 */
#include "test_util.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

#include "fork_handlers_lib.h"

static atomic_uint late_calls[HANDLER_KINDS];
static atomic_bool stop;

#define LATE_HANDLER(name, kind)                                                \
    static void name(void)                                                      \
    {                                                                           \
        handler_allocate(kind);                                                 \
        atomic_fetch_add(&late_calls[kind], 1);                                 \
    }
LATE_HANDLER(late_prepare, LATE_PREPARE)
LATE_HANDLER(late_parent, LATE_PARENT)
LATE_HANDLER(late_child, LATE_CHILD)

static void *background(void *arg)
{
    uint64_t r = (uint64_t)(uintptr_t)arg;
    void *held[16] = { 0 };
    while (!atomic_load(&stop)) {
        r = mix64(r);
        unsigned s = (unsigned)(r % 16);
        free(held[s]);
        size_t n = (r >> 8) % 4 == 0 ? (r >> 16) % 200000 : (r >> 16) % 600;
        held[s] = malloc(n + 1);
        if (!held[s])
            abort();
        ((char *)held[s])[n] = 1;
    }
    for (unsigned s = 0; s < 16; s++)
        free(held[s]);
    return NULL;
}

static void *child_thread(void *arg)
{
    handler_allocate((int)(uintptr_t)arg);
    return NULL;
}

/* In the child: its handlers ran once, it can allocate and start threads. */
static void child_main(void)
{
    int status = 0;
    if (handler_calls(EARLY_CHILD) < 1 || atomic_load(&late_calls[LATE_CHILD]) < 1)
        status = 2;
    handler_allocate(9);
    pthread_t t;
    if (pthread_create(&t, NULL, child_thread, (void *)7) != 0 || pthread_join(t, NULL) != 0)
        status = 3;
    _exit(status);
}

/* Waits for the child at most `seconds`; kills it if it hangs. */
static int wait_child(pid_t pid, int seconds)
{
    struct timespec nap = { 0, 2000000 };
    for (long waited = 0; waited < (long)seconds * 500; waited++) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        nanosleep(&nap, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static unsigned forks_per_thread;
static atomic_uint forks_done, child_failures;

static void *forker(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < forks_per_thread; i++) {
        handler_allocate(3);
        pid_t pid = fork();
        if (pid < 0) {
            atomic_fetch_add(&child_failures, 1);
            continue;
        }
        if (pid == 0)
            child_main();
        int rc = wait_child(pid, 20);
        if (rc != 0) {
            fprintf(stderr, "child %d %s (status %d)\n", (int)pid,
                    rc < 0 ? "deadlocked and was killed" : "failed", rc);
            atomic_fetch_add(&child_failures, 1);
        }
        atomic_fetch_add(&forks_done, 1);
    }
    return NULL;
}

static void run_forkers(unsigned count)
{
    pthread_t threads[16];
    for (unsigned i = 0; i < count; i++)
        if (pthread_create(&threads[i], NULL, forker, NULL) != 0)
            FATAL("pthread_create failed");
    for (unsigned i = 0; i < count; i++)
        pthread_join(threads[i], NULL);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "fork_handlers: watchdog: a fork deadlocked in the parent\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(1);
}

int main(int argc, char **argv)
{
    forks_per_thread = argc > 1 ? (unsigned)atoi(argv[1]) : 20;
    unsigned forking_threads = argc > 2 ? (unsigned)atoi(argv[2]) : 4;
    if (forking_threads > 16)
        forking_threads = 16;
    check_expected_allocator();
    signal(SIGALRM, on_alarm);
    alarm(150);
    pthread_atfork(late_prepare, late_parent, late_child);

    pthread_t bg[3];
    for (uintptr_t t = 0; t < 3; t++)
        pthread_create(&bg[t], NULL, background, (void *)(t * 7919 + 1));

    run_forkers(1);               /* one thread forks while three allocate */
    unsigned single = atomic_load(&forks_done);
    run_forkers(forking_threads); /* many threads fork at once */
    unsigned total = atomic_load(&forks_done);

    atomic_store(&stop, true);
    for (int t = 0; t < 3; t++)
        pthread_join(bg[t], NULL);

    CHECK(atomic_load(&child_failures) == 0, "%u of %u children failed", atomic_load(&child_failures), total);
    CHECK(single == forks_per_thread && total == forks_per_thread * (1 + forking_threads),
          "%u forks done", total);
    /* parent-side handlers ran once per fork, in both registration orders */
    CHECK(handler_calls(EARLY_PREPARE) == total && handler_calls(EARLY_PARENT) == total,
          "early handlers ran %u/%u times for %u forks", handler_calls(EARLY_PREPARE),
          handler_calls(EARLY_PARENT), total);
    CHECK(atomic_load(&late_calls[LATE_PREPARE]) == total && atomic_load(&late_calls[LATE_PARENT]) == total,
          "late handlers ran %u/%u times", atomic_load(&late_calls[LATE_PREPARE]),
          atomic_load(&late_calls[LATE_PARENT]));
    printf("%u forks (%u from one thread, then %u threads at once), handlers allocating in every phase\n",
           total, single, forking_threads);
    return test_finish("fork_handlers");
}
