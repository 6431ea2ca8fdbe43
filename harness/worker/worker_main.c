/* worker_main.c - allocscope-worker, the measured child.
 *
 *   allocscope-worker WINDOW_FD REQUEST_FD REPLY_FD RESULT_FD EXPECT_PATH STATS
 *                     VERSION_PROBE VERSION_SYMBOL
 *   allocscope-worker --probe EXPECT_PATH VERSION_PROBE VERSION_SYMBOL
 *
 * The parent starts one per (workload, allocator, repetition) with the
 * allocator in LD_PRELOAD. The worker checks that the expected library
 * serves malloc, then executes the op stream chunk by chunk as the parent
 * hands it over (worker_protocol.h) and writes everything it measures into
 * the shared result region. --probe only verifies and prints
 * "SERVED_BY<TAB>VERSION" (used by `allocscope list`).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "executor.h"
#include "page_controls.h"
#include "verify.h"

static int parse_fd(const char *arg)
{
    char *end;
    long fd = strtol(arg, &end, 10);
    return *end || fd < 0 || fd > 1 << 20 ? -1 : (int)fd;
}

static void *map_fd(const char *arg, int prot, size_t *bytes)
{
    int fd = parse_fd(arg);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0)
        return NULL;
    void *p = mmap(NULL, (size_t)st.st_size, prot, MAP_SHARED, fd, 0);
    close(fd);
    *bytes = (size_t)st.st_size;
    return p == MAP_FAILED ? NULL : p;
}

static int probe(char **argv)
{
    char served_by[512], err[1024], version[128];
    if (verify_malloc_provider(argv[2], served_by, sizeof served_by, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    read_allocator_version(argv[3], argv[4], version, sizeof version);
    printf("%s\t%s\n", served_by, version);
    return 0;
}

static int fail(struct result_region *res, const char *fmt, const char *arg)
{
    snprintf(res->error, sizeof res->error, fmt, arg);
    __atomic_store_n(&res->state, RESULT_FAILED, __ATOMIC_RELEASE);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--probe") == 0)
        return probe(argv);
    if (argc != 9) {
        fprintf(stderr, "usage: allocscope-worker WINDOW_FD REQUEST_FD REPLY_FD RESULT_FD "
                        "EXPECT_PATH STATS VERSION_PROBE VERSION_SYMBOL\n"
                        "       allocscope-worker --probe EXPECT_PATH VERSION_PROBE "
                        "VERSION_SYMBOL\n"
                        "(started by 'allocscope run'; not meant to be run by hand)\n");
        return 2;
    }
    size_t win_bytes, res_bytes;
    struct result_region *res = map_fd(argv[4], PROT_READ | PROT_WRITE, &res_bytes);
    if (!res || res->magic != RESULT_MAGIC || res->version != RESULT_VERSION) {
        fprintf(stderr, "allocscope-worker: bad result region fd %s\n", argv[4]);
        return 2;
    }
    __atomic_store_n(&res->state, RESULT_STARTED, __ATOMIC_RELEASE);
    if (page_thp_apply(res) < 0) {
        __atomic_store_n(&res->state, RESULT_FAILED, __ATOMIC_RELEASE);
        return 1;
    }
    struct opwindow_header *win = map_fd(argv[1], PROT_READ, &win_bytes);
    int request_fd = parse_fd(argv[2]), reply_fd = parse_fd(argv[3]);
    if (!win || win->magic != OPWINDOW_MAGIC || win->version != OPWINDOW_VERSION ||
        win_bytes < opwindow_bytes(win->op_capacity) || win->threads < 1 ||
        win->threads > OPWINDOW_MAX_THREADS)
        return fail(res, "bad op window fd %s", argv[1]);
    if (request_fd < 0 || reply_fd < 0)
        return fail(res, "bad chunk pipe fds %s", argv[2]);

    if (verify_malloc_provider(argv[5], res->served_by, sizeof res->served_by, res->error,
                               sizeof res->error) < 0) {
        __atomic_store_n(&res->state, RESULT_FAILED, __ATOMIC_RELEASE);
        return 1;
    }
    read_allocator_version(argv[7], argv[8], res->alloc_version, sizeof res->alloc_version);
    __atomic_store_n(&res->state, RESULT_VERIFIED, __ATOMIC_RELEASE);

    static struct exec_ctx ctx;
    if (executor_prepare(&ctx, win, request_fd, reply_fd, res, res_bytes, win_bytes) < 0 ||
        executor_run(&ctx) < 0) {
        __atomic_store_n(&res->state, RESULT_FAILED, __ATOMIC_RELEASE);
        return 1;
    }
    read_allocator_stats(argv[6], res);
    __atomic_store_n(&res->state, RESULT_DONE, __ATOMIC_RELEASE);
    /* Skip atexit handlers and destructors: some allocators print or tear
     * down state there, and nothing is left to measure. */
    _exit(0);
}
