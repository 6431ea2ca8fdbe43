/* gaps_program.c - allocations with known pauses between them, in two
 * threads, for the pacing test (test_pacing.py): the main thread
 * allocates five blocks 100 ms apart, a second thread allocates one after
 * 150 ms and frees it 150 ms later. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0)
        ;
}

static void *second(void *arg)
{
    (void)arg;
    pause_ms(150);
    char *p = malloc(4096);
    if (p)
        memset(p, 1, 4096);
    pause_ms(150);
    free(p);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, second, NULL) != 0)
        return 1;
    char *p[5];
    for (int i = 0; i < 5; i++) {
        p[i] = malloc(1000 * (size_t)(i + 1));
        if (p[i])
            memset(p[i], 1, 1000 * (size_t)(i + 1));
        pause_ms(100);
    }
    pthread_join(t, NULL);
    for (int i = 0; i < 5; i++)
        free(p[i]);
    return 0;
}
