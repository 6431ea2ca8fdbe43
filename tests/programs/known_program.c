/* known_program.c - a program whose memory behaviour is known, for the
 * program-runner tests. It reports what it did, measured from inside, as
 * KEY=VALUE lines on stdout; the test compares allocscope's outside view
 * with them.
 *
 *   known_program N_MIB M_MIB BRK_PAGES HOLD_MS
 *
 * 1. reads its own start state;
 * 2. moves the program break by BRK_PAGES pages with sbrk and touches them
 *    (nothing else runs between the two readings of the break);
 * 3. allocates and touches N MiB;
 * 4. forks a child that allocates and touches M MiB, reports, holds it for
 *    HOLD_MS and exits 0; meanwhile the parent holds its N MiB;
 * 5. reports its kernel high-water marks (getrusage) and exits 3. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void statm(uint64_t *rss, uint64_t *anon)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long size, res, shared;
    if (!f || fscanf(f, "%llu %llu %llu", &size, &res, &shared) != 3)
        exit(90);
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    *rss = res * (uint64_t)page;
    *anon = (res - shared) * (uint64_t)page;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0)
        ;
}

static void *touch(size_t bytes)
{
    char *p = malloc(bytes);
    if (!p)
        exit(91);
    memset(p, 0x5a, bytes);
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    size_t n = strtoull(argv[1], NULL, 10) << 20, m = strtoull(argv[2], NULL, 10) << 20;
    long brk_pages = strtol(argv[3], NULL, 10), hold = strtol(argv[4], NULL, 10);
    long page = sysconf(_SC_PAGESIZE);
    uint64_t rss, anon;
    statm(&rss, &anon);
    printf("start_anon=%llu\n", (unsigned long long)anon);
    fflush(stdout); /* stdio's buffer exists before the break readings */
    sleep_ms(hold / 2);

    char *before = sbrk(0);
    char *grown = sbrk(brk_pages * page);
    if (grown == (void *)-1)
        return 92;
    memset(grown, 1, (size_t)(brk_pages * page));
    char *after = sbrk(0);
    printf("brk_step=%lld\n", (long long)(after - before));
    fflush(stdout);
    sleep_ms(hold);

    void *big = touch(n);
    statm(&rss, &anon);
    printf("parent_rss=%llu\nparent_anon=%llu\n", (unsigned long long)rss,
           (unsigned long long)anon);
    fflush(stdout);
    sleep_ms(hold / 2);

    pid_t pid = fork();
    if (pid == 0) {
        void *mine = touch(m);
        statm(&rss, &anon);
        printf("child_rss=%llu\nchild_anon=%llu\n", (unsigned long long)rss,
               (unsigned long long)anon);
        fflush(stdout);
        sleep_ms(hold);
        free(mine);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    free(big);
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    printf("child_status=%d\nmaxrss_self=%lld\nmaxrss_children=%lld\n",
           WIFEXITED(status) ? WEXITSTATUS(status) : -1, (long long)self.ru_maxrss * 1024,
           (long long)children.ru_maxrss * 1024);
    return 3;
}
