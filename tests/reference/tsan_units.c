/* tsan_units.c - the reference allocator's units under ThreadSanitizer.
 *
 * The allocator's sources are compiled into this program with
 * -fsanitize=thread and their entry points renamed (REF_API_PREFIX=ref_),
 * so ThreadSanitizer keeps its own malloc and watches every access the
 * allocator makes.  Threads churn small objects and spans, hand objects to
 * each other (cross-thread frees), reallocate, allocate aligned and zeroed
 * memory, exit and are replaced (caches set up and retired), while one
 * thread trims, reads statistics and sleeps across decay intervals (so the
 * decay step and the sparse-run sweep run concurrently with everything
 * else).  Any race report ends the run (TSAN_OPTIONS=halt_on_error=1).
 *
 *   tsan_units [threads] [ops per thread]
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "api.h"

#define QUEUE 256

struct mailbox {
    pthread_mutex_t lock;
    void *slots[QUEUE];
    size_t sizes[QUEUE];
    unsigned head, count;
};

static struct mailbox boxes[16];
static unsigned thread_count;
static unsigned long ops_per_thread;
static atomic_bool stop;
static atomic_ulong objects_checked;

static size_t random_size(uint64_t r)
{
    unsigned pick = (unsigned)(r % 100);
    if (pick < 80)
        return (r >> 8) % 512 + 1;
    if (pick < 97)
        return (r >> 8) % 30000 + 1;
    return (r >> 8) % 3000000 + 40000; /* spans */
}

static bool post(unsigned to, void *p, size_t n)
{
    struct mailbox *b = &boxes[to];
    bool ok = false;
    pthread_mutex_lock(&b->lock);
    if (b->count < QUEUE) {
        unsigned at = (b->head + b->count++) % QUEUE;
        b->slots[at] = p;
        b->sizes[at] = n;
        ok = true;
    }
    pthread_mutex_unlock(&b->lock);
    return ok;
}

static bool receive(unsigned self, void **p, size_t *n)
{
    struct mailbox *b = &boxes[self];
    bool ok = false;
    pthread_mutex_lock(&b->lock);
    if (b->count) {
        *p = b->slots[b->head];
        *n = b->sizes[b->head];
        b->head = (b->head + 1) % QUEUE;
        b->count--;
        ok = true;
    }
    pthread_mutex_unlock(&b->lock);
    return ok;
}

/* The first and last byte carry the size's low byte. */
static void stamp(void *p, size_t n)
{
    ((unsigned char *)p)[0] = (unsigned char)n;
    ((unsigned char *)p)[n - 1] = (unsigned char)n;
}

static void check_and_free(void *p, size_t n)
{
    CHECK(((unsigned char *)p)[0] == (unsigned char)n && ((unsigned char *)p)[n - 1] == (unsigned char)n,
          "object %p of %zu bytes changed", p, n);
    atomic_fetch_add_explicit(&objects_checked, 1, memory_order_relaxed);
    ref_free(p);
}

struct worker_arg {
    unsigned index, round;
};

static void *worker(void *argp)
{
    struct worker_arg *arg = argp;
    uint64_t r = mix64(arg->index * 1000003u + arg->round * 7919u + 1);
    void *local[32] = { 0 };
    size_t local_size[32] = { 0 };
    for (unsigned long i = 0; i < ops_per_thread; i++) {
        r = mix64(r + i);
        size_t n = random_size(r);
        void *p;
        switch ((r >> 40) % 8) {
        case 0:
            p = ref_calloc(1, n);
            CHECK(p && ((unsigned char *)p)[n / 2] == 0, "calloc(%zu)", n);
            break;
        case 1:
            if (ref_posix_memalign(&p, (size_t)64 << ((r >> 50) % 8), n) != 0)
                p = NULL;
            break;
        default:
            p = ref_malloc(n);
        }
        if (!p)
            FATAL("allocation of %zu bytes failed", n);
        stamp(p, n);
        unsigned slot = (unsigned)(r >> 20) % 32;
        if ((r >> 30) % 3 == 0) { /* to another thread */
            if (!post((unsigned)(r >> 33) % thread_count, p, n))
                check_and_free(p, n);
        } else {
            if (local[slot]) {
                if ((r >> 36) % 4 == 0) { /* reallocate a local object first */
                    size_t m = random_size(r >> 3);
                    void *q = ref_realloc(local[slot], m);
                    CHECK(q != NULL, "realloc");
                    unsigned char keep = (unsigned char)local_size[slot];
                    CHECK(((unsigned char *)q)[0] == keep, "realloc lost the first byte");
                    stamp(q, m);
                    local[slot] = q;
                    local_size[slot] = m;
                }
                check_and_free(local[slot], local_size[slot]);
            }
            local[slot] = p;
            local_size[slot] = n;
        }
        void *in;
        size_t in_size;
        if (receive(arg->index, &in, &in_size))
            check_and_free(in, in_size);
    }
    for (unsigned s = 0; s < 32; s++)
        if (local[s])
            check_and_free(local[s], local_size[s]);
    return NULL;
}

/* Trims, reads statistics and waits across decay intervals. */
static void *housekeeper(void *arg)
{
    (void)arg;
    FILE *sink = fopen("/dev/null", "w");
    while (!atomic_load(&stop)) {
        struct mallinfo2 mi = ref_mallinfo2();
        CHECK(mi.arena >= mi.uordblks, "mallinfo2: arena %zu < in use %zu", mi.arena, mi.uordblks);
        if (sink)
            ref_malloc_info(0, sink);
        ref_malloc_trim(0);
        struct timespec nap = { 0, 300 * 1000000 };
        nanosleep(&nap, NULL);
    }
    if (sink)
        fclose(sink);
    return NULL;
}

int main(int argc, char **argv)
{
    thread_count = argc > 1 ? (unsigned)atoi(argv[1]) : 8;
    ops_per_thread = argc > 2 ? strtoul(argv[2], NULL, 0) : 50000;
    if (thread_count < 2 || thread_count > 16)
        FATAL("2 to 16 threads");
    for (unsigned t = 0; t < thread_count; t++)
        pthread_mutex_init(&boxes[t].lock, NULL);
    pthread_t keeper;
    pthread_create(&keeper, NULL, housekeeper, NULL);
    for (unsigned round = 0; round < 3; round++) { /* caches retire and come back */
        pthread_t threads[16];
        struct worker_arg args[16];
        for (unsigned t = 0; t < thread_count; t++) {
            args[t] = (struct worker_arg){ t, round };
            if (pthread_create(&threads[t], NULL, worker, &args[t]) != 0)
                FATAL("pthread_create");
        }
        for (unsigned t = 0; t < thread_count; t++)
            pthread_join(threads[t], NULL);
        void *p;
        size_t n;
        for (unsigned t = 0; t < thread_count; t++)
            while (receive(t, &p, &n))
                check_and_free(p, n);
    }
    atomic_store(&stop, true);
    pthread_join(keeper, NULL);
    printf("%lu objects checked by %u threads over 3 rounds\n", atomic_load(&objects_checked), thread_count);
    return test_finish("tsan_units");
}
