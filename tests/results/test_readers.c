/* test_readers.c - what allocscope refuses to read, and how it says so.
 * Every case is a file on disk read through the same functions `compare`,
 * `plot` and `baseline` use; the expected message names FILE:LINE. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounded_file.h"
#include "run_json_file.h"
#include "run_reader.h"
#include "summary_file.h"

#include "check_msg.h"

static char dir[256];

static void write_file(const char *name, const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

static const char header[] =
    "workload,allocator,rep,status,reason,ops,peak_heap_bytes,ops_per_s,opstream_hash\n";

/* summary.csv = header + body; returns summary_read_dir's result and err. */
static int read_summary(const char *body, char *err, size_t errlen)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", header, body);
    write_file("summary.csv", text, strlen(text));
    struct csv_table t;
    err[0] = '\0';
    int rc = summary_read_dir(dir, &t, err, errlen);
    if (rc == 0)
        csv_free(&t);
    return rc;
}

static void expect_refused(const char *body, const char *line, const char *words)
{
    char err[1024], want[512];
    int rc = read_summary(body, err, sizeof err);
    snprintf(want, sizeof want, "%s/summary.csv:%s: ", dir, line);
    CHECK(rc == -1, "accepted: %s", body);
    CHECK(strncmp(err, want, strlen(want)) == 0, "'%s' does not start with '%s'", err, want);
    CHECK(strstr(err, words) != NULL, "'%s' does not say '%s'", err, words);
}

static void test_summary_strict(void)
{
    char err[1024];
    const char *good = "w,glibc,1,ok,,100,4096,12.5,00000000000000ff\n"
                       "w,glibc,2,failed,\"why, with \"\"quotes\"\"\",,,,\n";
    CHECK(read_summary(good, err, sizeof err) == 0, "a good file is refused: %s", err);

    expect_refused("w,glibc,1,ok,,100,4096,12.5\n", "2", "8 fields, the header has 9");
    expect_refused("w,glibc,1,ok,,100,4096,12.5,00000000000000ff,x\n", "2", "10 fields");
    expect_refused("w,glibc,1,ok,,100,4096,12.5,00000000000000ff\nw,glibc,2,ok,,1",
                   "3", "cut short");
    expect_refused("w,glibc,1,ok,,0x10,4096,12.5,\n", "2", "ops '0x10'");
    expect_refused("w,glibc,1,ok,,100,-1e22,12.5,\n", "2", "peak_heap_bytes '-1e22'");
    expect_refused("w,glibc,1,ok,,100,4096,inf,\n", "2", "ops_per_s 'inf'");
    expect_refused("w,glibc,1,ok,,100,4096,-3.5,\n", "2", "ops_per_s '-3.5'");
    expect_refused("w,glibc,1,ok,, 100,4096,1,\n", "2", "ops ' 100'");
    expect_refused("w,glibc,1,ok,,100,4096,1,\nw,glibc,1,ok,,100,4096,1,\n", "3",
                   "second row for w x glibc rep 1 (first at line 2)");
    expect_refused("w,glibc,0,ok,,100,4096,1,\n", "2", "rep '0'");
    expect_refused("w,glibc,1,fine,,100,4096,1,\n", "2", "status 'fine'");
    expect_refused("w,glibc,1,ok,,100,4096,1,xyz\n", "2", "opstream_hash 'xyz'");
    expect_refused("w,glibc,1,ok,a\"b,100,4096,1,\n", "2", "quote inside an unquoted field");
    expect_refused("w,glibc,1,ok,\"a\"b,100,4096,1,\n", "2", "after the closing quote");
    expect_refused("w,glibc,1,ok,\"open,100,4096,1,\n", "2", "unterminated");
    expect_refused(",glibc,1,ok,,100,4096,1,\n", "2", "workload '' is empty");
    expect_refused("w,glibc,1,ok,,18446744073709551616,4096,1,\n", "2", "ops");

    /* A byte-order mark is read past, not taken for part of 'workload'. */
    char text[512];
    snprintf(text, sizeof text, "\xef\xbb\xbf%sw,glibc,1,ok,,1,1,1,\n", header);
    write_file("summary.csv", text, strlen(text));
    struct csv_table t;
    int rc = summary_read_dir(dir, &t, err, sizeof err);
    CHECK(rc == 0, "BOM: %s", err);
    if (rc == 0) {
        CHECK(t.rows == 1 && csv_column(&t, "workload") == 0, "BOM: workload column");
        csv_free(&t);
    }
    /* A NUL byte. */
    static const char nul[] = "workload,allocator,rep,status\nw,g,1,o\0k\n";
    write_file("summary.csv", nul, sizeof nul - 1);
    CHECK(summary_read_dir(dir, &t, err, sizeof err) == -1 && strstr(err, ":2: NUL byte"),
          "NUL: %s", err);
    /* Header problems. */
    write_file("summary.csv", "workload,allocator,rep,rep,status\n", strlen("workload,allocator,rep,rep,status\n"));
    CHECK(summary_read_dir(dir, &t, err, sizeof err) == -1 && strstr(err, ":1: header names column 'rep' twice"),
          "duplicate header: %s", err);
    write_file("summary.csv", "a,b,c\n", strlen("a,b,c\n"));
    CHECK(summary_read_dir(dir, &t, err, sizeof err) == -1 && strstr(err, ":1: the header has no 'workload' column"),
          "not a summary: %s", err);
    write_file("summary.csv", "", strlen(""));
    CHECK(summary_read_dir(dir, &t, err, sizeof err) == -1 && strstr(err, ":1: empty file"),
          "empty: %s", err);
}

/* The reader must never block on a FIFO nor read a device or a directory,
 * and must refuse an oversized file without reading it all. */
static void test_bounded(void)
{
    char path[512], why[128];
    size_t len;
    snprintf(path, sizeof path, "%s/fifo", dir);
    CHECK(mkfifo(path, 0600) == 0, "mkfifo: %s", strerror(errno));
    /* No writer on the other end: a blocking open would never return. */
    char *text = bounded_read_file(path, 1024, &len, why, sizeof why);
    CHECK(!text && strstr(why, "FIFO"), "fifo: %s", why);
    free(text);

    text = bounded_read_file("/dev/zero", 1024, &len, why, sizeof why);
    CHECK(!text && strstr(why, "character device"), "/dev/zero: %s", why);
    free(text);
    text = bounded_read_file(dir, 1024, &len, why, sizeof why);
    CHECK(!text && strcmp(why, "is a directory") == 0 && errno == EISDIR, "dir: %s", why);
    free(text);

    snprintf(path, sizeof path, "%s/sparse", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)BOUNDED_SUMMARY_MAX + 1) == 0, "sparse file");
    close(fd);
    text = bounded_read_file(path, BOUNDED_SUMMARY_MAX, &len, why, sizeof why);
    CHECK(!text && strcmp(why, "is larger than the limit of 64 MiB") == 0, "big: %s", why);
    free(text);

    /* Exactly at the limit is fine, and the text is NUL-terminated. */
    snprintf(path, sizeof path, "%s/small", dir);
    write_file("small", "12345", 5);
    text = bounded_read_file(path, 5, &len, why, sizeof why);
    CHECK(text && len == 5 && text[5] == '\0', "at the limit");
    free(text);
    text = bounded_read_file(path, 4, &len, why, sizeof why);
    CHECK(!text && errno == EFBIG, "over the limit by one");
    free(text);

    /* summary.csv and run.json as FIFOs or devices: refused, not hung on. */
    char err[1024];
    struct csv_table t;
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    unlink(path);
    CHECK(symlink("/dev/zero", path) == 0, "symlink");
    CHECK(summary_read_dir(dir, &t, err, sizeof err) == -1 && strstr(err, "character device"),
          "summary.csv -> /dev/zero: %s", err);
    snprintf(path, sizeof path, "%s/run.json", dir);
    CHECK(mkfifo(path, 0600) == 0, "mkfifo run.json");
    json_t *j = run_json_read_dir(dir, err, sizeof err);
    CHECK(!j && strstr(err, "run.json: is a FIFO"), "run.json FIFO: %s", err);
    json_decref(j);
}

static void test_run_json(void)
{
    char err[1024];
    char path[512];
    snprintf(path, sizeof path, "%s/run.json", dir);
    unlink(path);
    write_file("run.json", "{\"status\": \"complete\", \"status\": \"running\"}", strlen("{\"status\": \"complete\", \"status\": \"running\"}"));
    json_t *j = run_json_read_dir(dir, err, sizeof err);
    CHECK(!j && strstr(err, "duplicate"), "duplicate keys: %s", err);
    json_decref(j);
    write_file("run.json", "[1, 2]", strlen("[1, 2]"));
    j = run_json_read_dir(dir, err, sizeof err);
    CHECK(!j && strstr(err, "run.json:1: not a JSON object"), "array: %s", err);
    json_decref(j);

    /* A partial run is recognised as such. */
    write_file("run.json", "{\"status\": \"interrupted\", \"runs\": {\"planned\": 4}}", strlen("{\"status\": \"interrupted\", \"runs\": {\"planned\": 4}}"));
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    unlink(path);
    write_file("summary.csv", header, strlen(header));
    struct run_data r;
    int rc = run_load(dir, &r, err, sizeof err);
    CHECK(rc == 0, "load: %s", err);
    char why[256];
    if (rc == 0) {
        CHECK(run_incomplete(&r, why, sizeof why) &&
                  strcmp(why, "its status is 'interrupted'; 0 of 4 planned rows") == 0,
              "partial: %s", why);
        run_free(&r);
    }
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/allocscope-readers-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    test_summary_strict();
    test_bounded();
    test_run_json();
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s/summary.csv", dir);
    unlink(cmd);
    const char *names[] = {"run.json", "fifo", "sparse", "small"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(cmd, sizeof cmd, "%s/%s", dir, names[i]);
        unlink(cmd);
    }
    rmdir(dir);
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
