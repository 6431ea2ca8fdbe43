/* cgroup2.c - one cgroup v2 per program run (see cgroup2.h). */
#define _GNU_SOURCE
#include "cgroup2.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The cgroup2 mount point from /proc/self/mountinfo. */
static int cgroup2_mount(char *out, size_t len)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return -1;
    char line[1024];
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, f)) {
        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE ... */
        char root[512], point[512], fstype[64];
        const char *dash = strstr(line, " - ");
        if (!dash || sscanf(line, "%*s %*s %*s %511s %511s", root, point) != 2 ||
            sscanf(dash + 3, "%63s", fstype) != 1)
            continue;
        if (strcmp(fstype, "cgroup2") == 0 && strcmp(root, "/") == 0) {
            snprintf(out, len, "%s", point);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

/* This process's cgroup v2 path ("0::/a/b"). */
static int own_cgroup(char *out, size_t len)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return -1;
    char line[1024];
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, f))
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, len, "%s", line + 3);
            found = 0;
        }
    fclose(f);
    return found;
}

static int read_text(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

int cgroup_run_create(struct cgroup_run *cg, char *why, size_t len)
{
    memset(cg, 0, sizeof *cg);
    cg->procs_fd = cg->current_fd = -1;
    char mount[PATH_MAX], own[PATH_MAX], parent[PATH_MAX * 2 + 8], file[PATH_MAX * 4],
        list[512];
    if (cgroup2_mount(mount, sizeof mount) < 0) {
        snprintf(why, len, "no cgroup2 file system is mounted");
        return -1;
    }
    if (own_cgroup(own, sizeof own) < 0) {
        snprintf(why, len, "/proc/self/cgroup has no cgroup v2 entry");
        return -1;
    }
    snprintf(parent, sizeof parent, "%s%s", mount, strcmp(own, "/") == 0 ? "" : own);
    snprintf(file, sizeof file, "%s/cgroup.controllers", parent);
    if (read_text(file, list, sizeof list) < 0) {
        snprintf(why, len, "cannot read %s: %s", file, strerror(errno));
        return -1;
    }
    if (!has_word(list, "memory")) {
        snprintf(why, len, "cgroup v2 at %s offers no memory controller (controllers: %s; "
                           "the memory controller may be bound to cgroup v1)",
                 parent, list[0] ? list : "none");
        return -1;
    }
    snprintf(file, sizeof file, "%s/cgroup.subtree_control", parent);
    if (read_text(file, list, sizeof list) == 0 && !has_word(list, "memory") &&
        write_text(file, "+memory") < 0) {
        snprintf(why, len, "cannot enable the memory controller in %s: %s%s", file,
                 strerror(errno),
                 errno == EBUSY ? " (the cgroup holds processes; run allocscope in a "
                                  "delegated cgroup of its own)" : "");
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(cg->path, sizeof cg->path, "%s/allocscope-%d-%ld%09ld", parent, (int)getpid(),
             (long)ts.tv_sec, ts.tv_nsec);
    if (mkdir(cg->path, 0755) < 0) {
        snprintf(why, len, "cannot create %s: %s", cg->path, strerror(errno));
        cg->path[0] = '\0';
        return -1;
    }
    snprintf(file, sizeof file, "%s/memory.peak", cg->path);
    if (access(file, R_OK) < 0) {
        snprintf(why, len, "%s is missing (memory.peak needs Linux 5.19 or later)", file);
        cgroup_run_destroy(cg);
        return -1;
    }
    snprintf(file, sizeof file, "%s/cgroup.procs", cg->path);
    cg->procs_fd = open(file, O_WRONLY | O_CLOEXEC);
    snprintf(file, sizeof file, "%s/memory.current", cg->path);
    cg->current_fd = open(file, O_RDONLY | O_CLOEXEC);
    if (cg->procs_fd < 0 || cg->current_fd < 0) {
        snprintf(why, len, "cannot open the files of %s: %s", cg->path, strerror(errno));
        cgroup_run_destroy(cg);
        return -1;
    }
    return 0;
}

uint64_t cgroup_run_current(const struct cgroup_run *cg)
{
    char buf[32];
    ssize_t n = cg->current_fd >= 0 ? pread(cg->current_fd, buf, sizeof buf - 1, 0) : -1;
    if (n <= 0)
        return UINT64_MAX;
    buf[n] = '\0';
    return strtoull(buf, NULL, 10);
}

uint64_t cgroup_run_peak(const struct cgroup_run *cg)
{
    char file[sizeof cg->path + 16], buf[32];
    snprintf(file, sizeof file, "%s/memory.peak", cg->path);
    return read_text(file, buf, sizeof buf) == 0 ? strtoull(buf, NULL, 10) : UINT64_MAX;
}

void cgroup_run_destroy(struct cgroup_run *cg)
{
    if (cg->procs_fd >= 0)
        close(cg->procs_fd);
    if (cg->current_fd >= 0)
        close(cg->current_fd);
    cg->procs_fd = cg->current_fd = -1;
    if (!cg->path[0])
        return;
    char file[sizeof cg->path + 16];
    snprintf(file, sizeof file, "%s/cgroup.kill", cg->path);
    write_text(file, "1");
    /* rmdir fails while the killed processes are still exiting. */
    for (int i = 0; i < 200 && rmdir(cg->path) < 0 && errno == EBUSY; i++) {
        struct timespec nap = {0, 5000000};
        nanosleep(&nap, NULL);
    }
    cg->path[0] = '\0';
}

int cgroup_available(char *why, size_t len)
{
    struct cgroup_run cg;
    if (cgroup_run_create(&cg, why, len) < 0)
        return 0;
    cgroup_run_destroy(&cg);
    return 1;
}
