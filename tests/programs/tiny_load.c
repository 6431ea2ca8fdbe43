/* tiny_load.c - the load driver of tiny_server:
 *   tiny_load SOCKET ROUNDS COUNT BYTES
 * ROUNDS times: COUNT allocations of BYTES, then free them all. Prints what
 * it did and whether it ran with a preloaded allocator (it must not). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[1]);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("tiny_load: connect");
        return 1;
    }
    FILE *in = fdopen(s, "r"), *out = fdopen(dup(s), "w");
    long rounds = atol(argv[2]), count = atol(argv[3]);
    char line[128];
    unsigned long long most = 0;
    for (long r = 0; r < rounds; r++) {
        for (long i = 0; i < count; i++) {
            fprintf(out, "A %s\n", argv[4]);
            fflush(out);
            if (!fgets(line, sizeof line, in) || strcmp(line, "OK\n") != 0)
                return 3;
        }
        fputs("F\n", out);
        fflush(out);
        if (!fgets(line, sizeof line, in) || strncmp(line, "OK ", 3) != 0)
            return 3;
        unsigned long long kept = strtoull(line + 3, NULL, 10);
        if (kept > most)
            most = kept;
    }
    const char *preload = getenv("LD_PRELOAD");
    printf("rounds=%ld most_kept=%llu preload=%s\n", rounds, most,
           preload && *preload ? preload : "none");
    return 0;
}
