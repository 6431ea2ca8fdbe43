/* test_perf_inherit.c - a thread created after perf_counters_open is
 * counted in the parent's fd, both while it is alive and after it exited.
 *
 * Ground truth for the thread's own faults is getrusage(RUSAGE_THREAD)
 * taken inside the thread around its touches. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/resource.h>

#include <errno.h>

#include "check.h"
#include "pages.h"
#include "samplers.h"

#define T 512

static pthread_barrier_t touched, may_exit;
static long thread_faults;

static void *toucher(void *arg)
{
    struct rusage a, b;
    char *p = arg;

    getrusage(RUSAGE_THREAD, &a);
    touch_pages(p, T);
    getrusage(RUSAGE_THREAD, &b);
    thread_faults = b.ru_minflt - a.ru_minflt;
    pthread_barrier_wait(&touched);  /* parent reads while we are alive */
    pthread_barrier_wait(&may_exit);
    return NULL;
}

int main(void)
{
    struct perf_counters pc;
    uint64_t v0[PERF_METRIC_COUNT], alive[PERF_METRIC_COUNT],
        gone[PERF_METRIC_COUNT];
    pthread_t th;

    pthread_barrier_init(&touched, NULL, 2);
    pthread_barrier_init(&may_exit, NULL, 2);
    char *p = map_fresh_pages(T);

    perf_counters_open(&pc);
    if (pc.fd[PERF_MINOR_FAULTS] < 0) {
        int e = pc.open_errno[PERF_MINOR_FAULTS];
        fprintf(stderr, "minor faults: %s\n", perf_open_error_reason(e));
        /* Software events work on every perf-enabled kernel; only a
         * paranoid setting that closes perf to this user is a skip. */
        return e == EACCES || e == EPERM ? SKIP_RC : 1;
    }
    perf_counters_enable(&pc);
    perf_counters_read(&pc, v0);
    CHECK(pthread_create(&th, NULL, toucher, p) == 0);
    pthread_barrier_wait(&touched);
    perf_counters_read(&pc, alive);
    pthread_barrier_wait(&may_exit);
    pthread_join(th, NULL);
    perf_counters_read(&pc, gone);

    int64_t d_alive = (int64_t)(alive[PERF_MINOR_FAULTS] - v0[PERF_MINOR_FAULTS]);
    int64_t d_gone = (int64_t)(gone[PERF_MINOR_FAULTS] - v0[PERF_MINOR_FAULTS]);
    printf("thread touched %d pages (its own rusage: %ld faults); parent fd: "
           "+%" PRId64 " while alive, +%" PRId64 " after exit\n",
           T, thread_faults, d_alive, d_gone);
    CHECK_RANGE(thread_faults, T * 9 / 10, T + 16);
    /* The main thread itself faults only a few pages (thread stack, TLS)
     * in this window; without inherit the count would be near 0. */
    CHECK(d_alive >= thread_faults);
    CHECK(d_gone >= d_alive);
    CHECK(d_gone <= T + 256);
    perf_counters_close(&pc);
    return check_done("perf_inherit");
}
