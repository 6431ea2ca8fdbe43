/* thread_stress.c - many threads allocate, write a pattern, hand objects to
 * other threads, which verify the pattern before freeing (or reallocating)
 * them.  Threads are created and torn down for several rounds, so thread
 * caches are set up and retired over and over.  Bounded by operation
 * counts: the same work on any machine.
 *
 *   thread_stress [rounds] [threads] [ops per thread]
 */
#include "test_util.h"

#include <malloc.h>
#include <pthread.h>
#include <sys/mman.h>

struct parcel {
    char *p;
    size_t size;
    uint64_t tag;
};

/* A bounded queue per thread, filled by the others. */
struct mailbox {
    pthread_mutex_t lock;
    struct parcel slots[512];
    unsigned head, count;
};

static struct mailbox *boxes;
static unsigned thread_count;
static uint64_t ops_per_thread;
static _Atomic uint64_t verified;

static size_t random_size(uint64_t r)
{
    unsigned pick = (unsigned)(r % 1000);
    if (pick < 850)
        return (r >> 20) % 300;
    if (pick < 990)
        return (r >> 20) % 9000;
    if (pick < 998)
        return (r >> 20) % 300000;
    return 1100000 + (r >> 20) % 1000000; /* mapped */
}

/* Big blocks get their pattern at the ends only: the point is ownership,
 * not memory bandwidth. */
static void stamp(struct parcel *x)
{
    size_t n = x->size < 4096 ? x->size : 4096;
    fill_pattern(x->p, n, x->tag);
    if (x->size >= 4096 + 64)
        fill_pattern(x->p + x->size - 64, 64, ~x->tag);
}

static void verify_and_free(struct parcel *x, uint64_t r)
{
    size_t n = x->size < 4096 ? x->size : 4096;
    CHECK(check_pattern(x->p, n, x->tag) == n, "object %p (%zu bytes) corrupted", (void *)x->p, x->size);
    if (x->size >= 4096 + 64)
        CHECK(check_pattern(x->p + x->size - 64, 64, ~x->tag) == 64, "object tail corrupted");
    verified++;
    if (r % 8 == 0) { /* reallocate another thread's object, then free it */
        size_t new_size = random_size(r >> 3) + 1;
        char *q = realloc(x->p, new_size);
        CHECK(q != NULL, "realloc(%zu)", new_size);
        size_t keep = n < new_size ? n : new_size;
        CHECK(check_pattern(q, keep, x->tag) == keep, "realloc lost contents");
        free(q);
    } else {
        free(x->p);
    }
}

static bool post(unsigned to, struct parcel *x)
{
    struct mailbox *box = &boxes[to];
    bool ok = false;
    pthread_mutex_lock(&box->lock);
    if (box->count < 512) {
        box->slots[(box->head + box->count) % 512] = *x;
        box->count++;
        ok = true;
    }
    pthread_mutex_unlock(&box->lock);
    return ok;
}

static bool receive(unsigned self, struct parcel *x)
{
    struct mailbox *box = &boxes[self];
    bool ok = false;
    pthread_mutex_lock(&box->lock);
    if (box->count) {
        *x = box->slots[box->head];
        box->head = (box->head + 1) % 512;
        box->count--;
        ok = true;
    }
    pthread_mutex_unlock(&box->lock);
    return ok;
}

struct worker_arg {
    unsigned index, round;
};

static void *worker(void *argp)
{
    struct worker_arg *arg = argp;
    uint64_t rng = mix64(arg->index * 7919u + arg->round * 104729u + 1);
    /* some objects stay local for a while, some travel */
    struct parcel local[64] = { { 0 } };
    for (uint64_t i = 0; i < ops_per_thread; i++) {
        rng = mix64(rng + i);
        struct parcel x = { .size = random_size(rng) + 1, .tag = rng };
        x.p = malloc(x.size);
        CHECK(x.p != NULL && ((uintptr_t)x.p & 15) == 0, "malloc(%zu)", x.size);
        if (!x.p)
            continue;
        stamp(&x);
        unsigned slot = (unsigned)(rng >> 40) % 64;
        if (rng & 1) {
            unsigned to = (unsigned)((rng >> 8) % thread_count);
            if (!post(to, &x))
                verify_and_free(&x, rng >> 16);
        } else {
            if (local[slot].p)
                verify_and_free(&local[slot], rng >> 16);
            local[slot] = x;
        }
        struct parcel in;
        if (receive(arg->index, &in))
            verify_and_free(&in, rng >> 24);
    }
    for (unsigned s = 0; s < 64; s++)
        if (local[s].p)
            verify_and_free(&local[s], s);
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 8;
    thread_count = argc > 2 ? (unsigned)atoi(argv[2]) : 8;
    ops_per_thread = argc > 3 ? strtoull(argv[3], NULL, 0) : 60000;
    check_expected_allocator();
    boxes = mmap(NULL, thread_count * sizeof *boxes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (unsigned t = 0; t < thread_count; t++)
        pthread_mutex_init(&boxes[t].lock, NULL);

    size_t arena_after_first = 0;
    for (unsigned round = 0; round < rounds; round++) {
        pthread_t threads[256];
        struct worker_arg args[256];
        unsigned n = thread_count < 256 ? thread_count : 256;
        for (unsigned t = 0; t < n; t++) {
            args[t] = (struct worker_arg){ t, round };
            if (pthread_create(&threads[t], NULL, worker, &args[t]) != 0)
                FATAL("pthread_create failed");
        }
        for (unsigned t = 0; t < n; t++)
            pthread_join(threads[t], NULL);
        struct parcel x; /* what was posted after its receiver stopped */
        for (unsigned t = 0; t < n; t++)
            while (receive(t, &x))
                verify_and_free(&x, 1);
        /* Retired threads gave their caches back: the heap does not keep
         * growing from round to round. */
        size_t arena = mallinfo2().arena;
        if (round == 0)
            arena_after_first = arena;
        if (reference_is_loaded())
            CHECK(arena <= 2 * arena_after_first + (16u << 20),
                  "heap keeps growing: %zu after round 1, %zu after round %u", arena_after_first,
                  arena, round + 1);
        printf("round %u: %llu objects verified, heap arena %zu KiB\n", round + 1,
               (unsigned long long)verified, arena >> 10);
    }
    return test_finish("thread_stress");
}
