/* host_info.c - machine facts for run.json (see host_info.h). */
#define _GNU_SOURCE
#include "host_info.h"
#include "tlb_events.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* First line of `path` that starts with `key`, value after the colon. */
static void read_keyed(const char *path, const char *key, char *out, size_t outlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0)
            continue;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        colon++;
        while (*colon == ' ' || *colon == '\t')
            colon++;
        colon[strcspn(colon, "\n")] = '\0';
        snprintf(out, outlen, "%s", colon);
        break;
    }
    fclose(f);
}

/* The bracketed choice in /sys/kernel/mm/transparent_hugepage/enabled. */
static void read_thp(char *out, size_t outlen)
{
    snprintf(out, outlen, "unknown");
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return;
    char line[256];
    if (fgets(line, sizeof line, f)) {
        char *open = strchr(line, '['), *close = open ? strchr(open, ']') : NULL;
        if (open && close)
            snprintf(out, outlen, "%.*s", (int)(close - open - 1), open + 1);
    }
    fclose(f);
}

void host_info_collect(struct host_info *h)
{
    memset(h, 0, sizeof *h);
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(h->hostname, sizeof h->hostname, "%s", u.nodename);
        snprintf(h->kernel, sizeof h->kernel, "%s %s %s", u.sysname, u.release, u.machine);
    }
    snprintf(h->cpu_model, sizeof h->cpu_model, "unknown");
    read_keyed("/proc/cpuinfo", "model name", h->cpu_model, sizeof h->cpu_model);
    h->cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
    h->page_size = sysconf(_SC_PAGESIZE);
    read_thp(h->thp_mode, sizeof h->thp_mode);

    struct perf_counters pc;
    perf_counters_open(&pc);
    for (int i = 0; i < PERF_METRIC_COUNT; i++) {
        h->perf_supported[i] = pc.fd[i] >= 0;
        if (!h->perf_supported[i])
            snprintf(h->perf_reason[i], sizeof h->perf_reason[i], "%s",
                     perf_open_error_reason(pc.open_errno[i]));
    }
    perf_counters_close(&pc);
    h->page_walk_events = tlb_family_name(tlb_family_here());
}
