/* bare_replay.c - allocscope-bare-replay: the smallest loop that replays a
 * workload's op stream against the preloaded allocator. It is the yardstick
 * for the harness's own cost: the same ops, the same touches, a pointer
 * table, and nothing else (no timing, no sampling, no live-bytes count, no
 * window, no checks). callgrind counts `bare_loop` alone.
 *
 *   allocscope-bare-replay --dump [--quick] FILE.yaml WORKLOAD OUT
 *       write the workload's whole stream to OUT (run without the
 *       allocator preloaded: generating allocates);
 *   allocscope-bare-replay --replay OUT
 *       map OUT and replay it (run with the allocator preloaded: nothing
 *       but the loop calls it). Prints the number of ops replayed.
 * Single-threaded workloads only (a trace workload whose trace had one
 * thread alive at a time counts).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "op_access.h"
#include "op_touch.h"
#include "opsource.h"
#include "spec.h"

#define QUICK_FACTOR 0.1 /* as allocscope run --quick */

struct dump_header {
    uint64_t ops;   /* ops in the file, markers included */
    uint64_t slots; /* pointer-table entries */
    uint64_t executed; /* ops that are not markers */
};

/* What access visits read (kept, so the reads are not optimised away). */
static uint64_t access_sink;

static __attribute__((noinline)) void bare_loop(const struct op *ops, size_t n, void **slots)
{
    for (size_t i = 0; i < n; i++) {
        const struct op *op = &ops[i];
        void **s = &slots[op->slot];
        void *p;
        switch (op->kind) {
        case OP_MALLOC:
            p = malloc(op->size);
            break;
        case OP_CALLOC:
            p = calloc(1, op->size);
            break;
        case OP_POSIX_MEMALIGN:
            if (posix_memalign(&p, (size_t)1 << op->align_log2, op->size) != 0)
                p = NULL;
            break;
        case OP_ALIGNED_ALLOC:
            p = aligned_alloc((size_t)1 << op->align_log2, op->size);
            break;
        case OP_REALLOC:
            p = realloc(*s, op_realloc_new_size(op));
            op_touch(p, op_realloc_new_size(op), op->touch);
            *s = p;
            continue;
        case OP_FREE:
            free(*s);
            *s = NULL;
            continue;
        case OP_ACCESS: /* a visit of an access phase: the same reads */
            access_sink += op_access(*s, op->size, op->touch);
            continue;
        default:
            continue; /* phase markers */
        }
        op_touch(p, op->size, op->touch);
        *s = p;
    }
}

static int dump(bool quick, const char *file, const char *name, const char *out)
{
    struct suite_spec suite;
    struct spec_error err;
    if (spec_load_file(file, &suite, &err) < 0) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    if (quick)
        spec_apply_quick(&suite, QUICK_FACTOR);
    const struct workload_spec *w = NULL;
    for (size_t i = 0; i < suite.workload_count; i++)
        if (strcmp(suite.workloads[i].name, name) == 0)
            w = &suite.workloads[i];
    char msg[1200];
    struct opsource *g = w ? opsource_new(w, NULL, 0, msg, sizeof msg) : NULL;
    if (!g || opsource_threads(g) != 1) {
        fprintf(stderr, "no single-threaded workload '%s' in %s%s%s\n", name, file,
                g || !w ? "" : ": ", g || !w ? "" : msg);
        return 2;
    }
    struct opwindow_header *win = malloc(opwindow_bytes(OPWINDOW_DEFAULT_OPS));
    FILE *f = fopen(out, "wb");
    if (!win || !f) {
        fprintf(stderr, "cannot set up: %s\n", out);
        return 1;
    }
    opwindow_init(win, 1, OPWINDOW_DEFAULT_OPS);
    struct dump_header h = {0};
    fwrite(&h, sizeof h, 1, f);
    do {
        if (opsource_next_chunk(g, win, msg, sizeof msg) < 0) {
            fprintf(stderr, "%s\n", msg);
            return 1;
        }
        fwrite(opwindow_ops(win), sizeof(struct op), win->seg[0].count, f);
        h.ops += win->seg[0].count;
    } while (!win->last);
    h.slots = opsource_totals(g)->slots;
    h.executed = opsource_totals(g)->ops;
    opsource_free(g);
    rewind(f);
    fwrite(&h, sizeof h, 1, f);
    if (fclose(f) != 0) {
        perror(out);
        return 1;
    }
    return 0;
}

static int replay(const char *in)
{
    int fd = open(in, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(struct dump_header)) {
        perror(in);
        return 1;
    }
    /* The stream and the table come from mmap, never from the allocator
     * under test. */
    const struct dump_header *h = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (h == MAP_FAILED || sizeof *h + h->ops * sizeof(struct op) != (size_t)st.st_size) {
        fprintf(stderr, "%s: not a stream dump\n", in);
        return 1;
    }
    void **slots = mmap(NULL, h->slots * sizeof *slots, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED)
        return 1;
    bare_loop((const struct op *)(h + 1), h->ops, slots);
    if (access_sink) /* read, so the visits' loads stay */
        fprintf(stderr, "access phases read a sum of %llu\n", (unsigned long long)access_sink);
    printf("%llu\n", (unsigned long long)h->executed);
    fflush(stdout);
    _exit(0); /* as the worker: no teardown work after the loop */
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "--dump") == 0) {
        bool quick = strcmp(argv[2], "--quick") == 0;
        if (argc == 5 + quick)
            return dump(quick, argv[2 + quick], argv[3 + quick], argv[4 + quick]);
    }
    if (argc == 3 && strcmp(argv[1], "--replay") == 0)
        return replay(argv[2]);
    fprintf(stderr, "usage: allocscope-bare-replay --dump [--quick] FILE.yaml WORKLOAD OUT\n"
                    "       allocscope-bare-replay --replay OUT\n");
    return 2;
}
