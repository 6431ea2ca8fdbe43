/* worker_main.c - allocscope-worker, the measured child.
 *
 *   allocscope-worker OPSTREAM_FD RESULT_FD EXPECT_PATH STATS VERSION_PROBE VERSION_SYMBOL
 *   allocscope-worker --probe EXPECT_PATH VERSION_PROBE VERSION_SYMBOL
 *
 * The parent starts one per (workload, allocator, repetition) with the
 * allocator in LD_PRELOAD. The worker checks that the expected library
 * serves malloc, then executes the op stream and writes everything it
 * measures into the shared result region (worker_protocol.h). --probe only
 * verifies and prints "SERVED_BY<TAB>VERSION" (used by `allocscope list`).
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
#include "verify.h"

static void *map_fd(const char *arg, int prot, size_t *bytes)
{
    char *end;
    long fd = strtol(arg, &end, 10);
    struct stat st;
    if (*end || fd < 0 || fstat((int)fd, &st) < 0 || st.st_size <= 0)
        return NULL;
    void *p = mmap(NULL, (size_t)st.st_size, prot, MAP_SHARED, (int)fd, 0);
    close((int)fd);
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

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--probe") == 0)
        return probe(argv);
    if (argc != 7) {
        fprintf(stderr, "usage: allocscope-worker OPSTREAM_FD RESULT_FD EXPECT_PATH STATS "
                        "VERSION_PROBE VERSION_SYMBOL\n"
                        "       allocscope-worker --probe EXPECT_PATH VERSION_PROBE "
                        "VERSION_SYMBOL\n"
                        "(started by 'allocscope run'; not meant to be run by hand)\n");
        return 2;
    }
    size_t stream_bytes, res_bytes;
    struct opstream_header *stream = map_fd(argv[1], PROT_READ, &stream_bytes);
    struct result_region *res = map_fd(argv[2], PROT_READ | PROT_WRITE, &res_bytes);
    if (!res || res->magic != RESULT_MAGIC) {
        fprintf(stderr, "allocscope-worker: bad result region fd %s\n", argv[2]);
        return 2;
    }
    __atomic_store_n(&res->state, RESULT_STARTED, __ATOMIC_RELEASE);
    if (!stream || stream->magic != OPSTREAM_MAGIC || stream->version != OPSTREAM_VERSION) {
        snprintf(res->error, sizeof res->error, "bad op stream fd %s", argv[1]);
        res->state = RESULT_FAILED;
        return 1;
    }
    res->opstream_hash = stream->hash;

    if (verify_malloc_provider(argv[3], res->served_by, sizeof res->served_by, res->error,
                               sizeof res->error) < 0) {
        res->state = RESULT_FAILED;
        return 1;
    }
    read_allocator_version(argv[5], argv[6], res->alloc_version, sizeof res->alloc_version);
    __atomic_store_n(&res->state, RESULT_VERIFIED, __ATOMIC_RELEASE);

    static struct exec_ctx ctx;
    if (executor_prepare(&ctx, stream, res) < 0 || executor_run(&ctx) < 0) {
        res->state = RESULT_FAILED;
        return 1;
    }
    read_allocator_stats(argv[4], res);
    __atomic_store_n(&res->state, RESULT_DONE, __ATOMIC_RELEASE);
    /* Skip atexit handlers and destructors: some allocators print or tear
     * down state there, and nothing is left to measure. */
    _exit(0);
}
