/* tiny_server.c - the test suite's own service: a unix-socket server that
 * allocates on request. One client at a time; each line is a request:
 *   A BYTES   allocate and touch BYTES, keep them      -> "OK\n"
 *   F         free everything kept                      -> "OK <kept bytes>\n"
 * SIGTERM ends it with status 0. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

static void *kept[100000];
static size_t nkept, kept_bytes;

static void serve(FILE *in, FILE *out)
{
    char line[128];
    while (!stop && fgets(line, sizeof line, in)) {
        if (line[0] == 'A' && nkept < sizeof kept / sizeof kept[0]) {
            size_t n = strtoull(line + 2, NULL, 10);
            char *p = malloc(n);
            if (!p)
                exit(4);
            memset(p, 7, n);
            kept[nkept++] = p;
            kept_bytes += n;
            fputs("OK\n", out);
        } else if (line[0] == 'F') {
            fprintf(out, "OK %zu\n", kept_bytes);
            while (nkept)
                free(kept[--nkept]);
            kept_bytes = 0;
        } else {
            fputs("ERR\n", out);
        }
        fflush(out);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    struct sigaction sa = {.sa_handler = on_term}; /* no SA_RESTART: accept returns */
    sigaction(SIGTERM, &sa, NULL);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[1]);
    unlink(argv[1]);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 4) < 0) {
        perror("tiny_server");
        return 1;
    }
    while (!stop) {
        int c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        FILE *in = fdopen(c, "r"), *out = fdopen(dup(c), "w");
        serve(in, out);
        fclose(in);
        fclose(out);
    }
    unlink(argv[1]);
    return 0;
}
