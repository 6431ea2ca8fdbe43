/* tick_cost.c - benchmark (not a test): the parent's CPU time per sample of
 * a process tree (proc_tree_sample), and per smaps_rollup pass, on a child
 * that holds MIB MiB of touched memory.
 *   tick_cost [MIB] [SAMPLES] */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_tree.h"

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
    int n = argc > 2 ? atoi(argv[2]) : 2000;
    pid_t pid = fork();
    if (pid == 0) {
        volatile char *p = malloc(mib << 20);
        for (size_t i = 0; i < mib << 20; i += 4096)
            p[i] = 1;
        pause();
        _exit(0);
    }
    sleep(1);
    struct proc_tree t;
    proc_tree_init(&t);
    proc_tree_add_root(&t, pid);
    struct tree_reading r;
    double c0 = cpu_s();
    for (int i = 0; i < n; i++)
        proc_tree_sample(&t, &r);
    double c1 = cpu_s();
    struct smaps_rollup sm;
    int m = n / 20 + 1;
    for (int i = 0; i < m; i++)
        proc_tree_smaps(&t, &sm);
    double c2 = cpu_s();
    printf("child %zu MiB, rss %llu: %.1f us CPU per sample (%d samples), %.1f us per "
           "smaps_rollup pass (%d)\n",
           mib, (unsigned long long)r.rss_bytes, (c1 - c0) / n * 1e6, n, (c2 - c1) / m * 1e6, m);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    proc_tree_free(&t);
    return 0;
}
