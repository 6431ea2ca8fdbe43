/* many_events.c - a program that makes many allocation calls quickly, for
 * the bounded-memory test (test_scale.py): PAIRS times, free one of 64
 * slots and allocate it again with one of 13 sizes. 2 x PAIRS events.
 *   many_events PAIRS */
#include <stdint.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    uint64_t pairs = strtoull(argv[1], NULL, 10);
    char *slot[64] = {0};
    for (uint64_t i = 0; i < pairs; i++) {
        unsigned j = (unsigned)(i % 64);
        free(slot[j]);
        slot[j] = malloc(16 + (i % 13) * 8);
        if (!slot[j])
            return 1;
        slot[j][0] = (char)i;
    }
    for (unsigned j = 0; j < 64; j++)
        free(slot[j]);
    return 0;
}
