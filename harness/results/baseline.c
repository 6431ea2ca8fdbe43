/* baseline.c - saving and finding named baselines (baseline.h). */
#include "baseline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_reader.h"

/* a "/" b into buf; -1 when it does not fit. */
static int path_join(char *buf, size_t len, const char *a, const char *b)
{
    int n = snprintf(buf, len, "%s/%s", a, b);
    if (n < 0 || (size_t)n >= len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

bool baseline_name_ok(const char *name)
{
    if (!name[0] || name[0] == '.')
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

/* DIR has something called summary.csv (whether it can be read as one is
 * for run_load to say, with the reason). */
static bool is_run_dir(const char *dir)
{
    char path[4096];
    struct stat st;
    return path_join(path, sizeof path, dir, "summary.csv") == 0 && lstat(path, &st) == 0;
}

int baseline_resolve(const char *run_or_name, const char *dir, char *out, size_t outlen,
                     char *err, size_t errlen)
{
    if (is_run_dir(run_or_name)) {
        snprintf(out, outlen, "%s", run_or_name);
        return 0;
    }
    if (baseline_name_ok(run_or_name)) {
        char path[4096];
        if (path_join(path, sizeof path, dir, run_or_name) == 0 && is_run_dir(path)) {
            snprintf(out, outlen, "%s", path);
            return 0;
        }
        snprintf(err, errlen, "%s: not a run directory (no summary.csv), nor a baseline in %s",
                 run_or_name, dir);
        return -1;
    }
    snprintf(err, errlen, "%s: not a run directory (no summary.csv)", run_or_name);
    return -1;
}

/* mkdir -p for one path. */
static int make_dirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        snprintf(err, errlen, "%s: %s", from, strerror(errno));
        return -1;
    }
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0) {
        snprintf(err, errlen, "%s: %s", to, strerror(errno));
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0) {
                snprintf(err, errlen, "%s: %s", to, strerror(errno));
                rc = -1;
                break;
            }
            off += w;
        }
        if (rc)
            break;
    }
    if (n < 0) {
        snprintf(err, errlen, "%s: %s", from, strerror(errno));
        rc = -1;
    }
    close(in);
    if (close(out) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: %s", to, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* Copy the regular files and folders under `from` into `to`. */
static int copy_tree(const char *from, const char *to, char *err, size_t errlen)
{
    if (make_dirs(to) != 0) {
        snprintf(err, errlen, "%s: %s", to, strerror(errno));
        return -1;
    }
    DIR *d = opendir(from);
    if (!d) {
        snprintf(err, errlen, "%s: %s", from, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char src[4096], dst[4096];
        struct stat st;
        if (path_join(src, sizeof src, from, e->d_name) != 0 ||
            path_join(dst, sizeof dst, to, e->d_name) != 0) {
            snprintf(err, errlen, "%s: path too long", from);
            rc = -1;
            break;
        }
        if (lstat(src, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = copy_tree(src, dst, err, errlen);
        else if (S_ISREG(st.st_mode))
            rc = copy_file(src, dst, err, errlen);
    }
    closedir(d);
    return rc;
}

int baseline_save(const char *name, const char *run, const char *dir, bool with_samples,
                  bool replace, char *err, size_t errlen)
{
    if (!baseline_name_ok(name)) {
        snprintf(err, errlen, "'%s': a baseline name is letters, digits, '.', '_', '-'", name);
        return -1;
    }
    if (!is_run_dir(run)) {
        snprintf(err, errlen, "%s: not a run directory (no summary.csv)", run);
        return -1;
    }
    /* Only a whole, readable run becomes a baseline: every later compare
     * would judge against it. */
    struct run_data data;
    char why[512];
    if (run_load(run, &data, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s is not a readable run: %s", run, why);
        return -1;
    }
    bool partial = run_incomplete(&data, why, sizeof why);
    run_free(&data);
    if (partial) {
        snprintf(err, errlen, "%s is not a complete run (%s): it cannot be a baseline", run,
                 why);
        return -1;
    }
    char target[4096], src[4096], dst[4096];
    struct stat st;
    if (path_join(target, sizeof target, dir, name) != 0) {
        snprintf(err, errlen, "%s: path too long", dir);
        return -1;
    }
    if (stat(target, &st) == 0 && !replace) {
        snprintf(err, errlen, "%s exists; --replace to overwrite it", target);
        return -1;
    }
    if (make_dirs(target) != 0) {
        snprintf(err, errlen, "%s: %s", target, strerror(errno));
        return -1;
    }
    static const char *const files[] = {"run.json", "summary.csv"};
    for (size_t i = 0; i < 2; i++) {
        if (path_join(src, sizeof src, run, files[i]) != 0 ||
            path_join(dst, sizeof dst, target, files[i]) != 0) {
            snprintf(err, errlen, "%s: path too long", target);
            return -1;
        }
        if (copy_file(src, dst, err, errlen) != 0)
            return -1;
    }
    if (path_join(src, sizeof src, run, "samples") != 0 ||
        path_join(dst, sizeof dst, target, "samples") != 0) {
        snprintf(err, errlen, "%s: path too long", target);
        return -1;
    }
    if (with_samples && stat(src, &st) == 0 && S_ISDIR(st.st_mode))
        return copy_tree(src, dst, err, errlen);
    return 0;
}
