/* fork_safety.c - fork while other threads allocate; malloc and free in the
 * parent and the child (which also starts threads of its own).  A deadlock
 * shows as a child that does not finish: it is killed and the test fails.
 *
 *   fork_safety [forks]
 */
#include "test_util.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

static atomic_bool stop;

static size_t size_for(uint64_t r)
{
    unsigned pick = (unsigned)(r % 100);
    return pick < 80 ? (r >> 8) % 512 + 1 : pick < 98 ? (r >> 8) % 100000 + 1 : 2000000;
}

static void churn(uint64_t seed, unsigned ops)
{
    void *held[32] = { 0 };
    size_t sizes[32] = { 0 };
    for (unsigned i = 0; i < ops; i++) {
        seed = mix64(seed + i);
        unsigned s = (unsigned)(seed >> 50) % 32;
        if (held[s]) {
            CHECK(check_pattern(held[s], sizes[s] < 256 ? sizes[s] : 256, s) ==
                      (sizes[s] < 256 ? sizes[s] : 256), "pattern lost");
            free(held[s]);
        }
        sizes[s] = size_for(seed);
        held[s] = malloc(sizes[s]);
        if (!held[s])
            FATAL("malloc failed");
        fill_pattern(held[s], sizes[s] < 256 ? sizes[s] : 256, s);
    }
    for (unsigned s = 0; s < 32; s++)
        free(held[s]);
}

static void *background(void *arg)
{
    uint64_t seed = (uint64_t)(uintptr_t)arg;
    while (!atomic_load(&stop))
        churn(seed++, 200);
    return NULL;
}

static void *child_thread(void *arg)
{
    churn((uint64_t)(uintptr_t)arg, 2000);
    return NULL;
}

static void child_main(unsigned i)
{
    churn(i, 3000);
    pthread_t t[2];
    for (int k = 0; k < 2; k++)
        if (pthread_create(&t[k], NULL, child_thread, (void *)(uintptr_t)(i * 2 + (unsigned)k)) != 0)
            _exit(3);
    for (int k = 0; k < 2; k++)
        pthread_join(t[k], NULL);
    _exit(test_failures ? 1 : 0);
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

int main(int argc, char **argv)
{
    unsigned forks = argc > 1 ? (unsigned)atoi(argv[1]) : 150;
    check_expected_allocator();
    pthread_t threads[4];
    for (uintptr_t t = 0; t < 4; t++)
        pthread_create(&threads[t], NULL, background, (void *)(t * 1000003));
    for (unsigned i = 0; i < forks; i++) {
        churn(i * 31u, 100);
        pid_t pid = fork();
        if (pid < 0)
            FATAL("fork failed");
        if (pid == 0)
            child_main(i);
        int rc = wait_child(pid, 20);
        CHECK(rc == 0, "child %u %s (status %d)", i, rc < 0 ? "deadlocked and was killed" : "failed", rc);
        if (rc < 0)
            break;
    }
    atomic_store(&stop, true);
    for (int t = 0; t < 4; t++)
        pthread_join(threads[t], NULL);
    printf("%u forks done\n", forks);
    return test_finish("fork_safety");
}
