/* test_outputs.c - the report formats: the github-action-benchmark JSON
 * has exactly the shape its custom tools read, the Markdown is a GFM table
 * whose rows keep their cell count even when names from the results carry
 * '|', HTML or emphasis characters, and saved baselines compare by name. */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "synth.h"

#include "check_msg.h"

static char tmp[256];
#define NASTY "evil|name <b>x</b> `touch pwned` *y*"

static void write_run(const char *name, double tput_factor, double heap_add, uint64_t seed)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", tmp, name);
    FILE *f = synth_begin(dir, NULL);
    const char *workloads[] = {"churn", NASTY};
    const char *allocators[] = {"glibc", "jemalloc"};
    for (int w = 0; w < 2; w++)
        for (int a = 0; a < 2; a++)
            for (int rep = 1; rep <= 5; rep++) {
                struct synth_row r = {
                    .workload = workloads[w],
                    .allocator = allocators[a],
                    .rep = rep,
                    .ops = 1e5,
                    .ops_per_s = 1e6 * (a + 1) * (w == 0 ? tput_factor : 1) *
                                 (1 + 0.02 * synth_normal(&seed)),
                    .latency_p99_ns = 1000,
                    .peak_heap_bytes = (8 << 20) + (w == 1 ? heap_add : 0),
                    .frag_peak_ratio = 1.2,
                    .peak_brk_bytes = a == 0 ? 135168 : 0,
                    .dtlb_per_kop = a == 0 ? 3.5 * (1 + 0.02 * synth_normal(&seed)) : NAN,
                };
                synth_row(f, &r);
            }
    synth_end(f);
}

static int compare(const char *base, const char *new, const char *extra)
{
    char b[512], n[512], md[512], sm[512], bg[512];
    snprintf(b, sizeof b, "%s/%s", tmp, base);
    snprintf(n, sizeof n, "%s/%s", tmp, new);
    snprintf(md, sizeof md, "%s/report.md", tmp);
    snprintf(sm, sizeof sm, "%s/smaller.json", tmp);
    snprintf(bg, sizeof bg, "%s/bigger.json", tmp);
    char *argv[16] = {"compare", "--markdown", md, "--json-smaller", sm, "--json-bigger", bg};
    int argc = 7;
    if (extra) {
        argv[argc++] = "--baselines";
        argv[argc++] = (char *)extra;
    }
    argv[argc++] = b;
    argv[argc++] = n;
    argv[argc] = NULL;
    return cmd_compare(argc, argv);
}

/* github-action-benchmark reads an array of {name, value, unit, range?,
 * extra?} (src/extract.ts, BenchmarkResult); names key the chart, so they
 * must be unique. */
static void check_bench_json(const char *file, bool bigger, size_t want_entries)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, file);
    json_error_t e;
    json_t *arr = json_load_file(path, 0, &e);
    CHECK(arr && json_is_array(arr), "%s: %s", path, arr ? "not an array" : e.text);
    if (!arr)
        return;
    CHECK(json_array_size(arr) == want_entries, "%s: %zu entries, want %zu", file,
          json_array_size(arr), want_entries);
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        CHECK(json_is_object(o), "entry %zu is an object", i);
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v)
        {
            bool known = strcmp(key, "name") == 0 || strcmp(key, "value") == 0 ||
                         strcmp(key, "unit") == 0 || strcmp(key, "range") == 0 ||
                         strcmp(key, "extra") == 0;
            CHECK(known, "unexpected key %s", key);
            if (strcmp(key, "value") == 0)
                CHECK(json_is_number(v) && isfinite(json_number_value(v)), "value is a number");
            else
                CHECK(json_is_string(v), "%s is a string", key);
        }
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *unit = json_string_value(json_object_get(o, "unit"));
        CHECK(name && name[0] && unit && unit[0], "name and unit present");
        CHECK(json_is_number(json_object_get(o, "value")), "value present");
        if (name && unit)
            CHECK(bigger == (strcmp(unit, "ops/s") == 0), "%s (%s) in the %s file", name, unit,
                  bigger ? "bigger" : "smaller");
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(name ? name : "",
                         json_string_value(json_object_get(json_array_get(arr, j), "name"))) != 0,
                  "duplicate name %s", name);
    }
    json_decref(arr);
}

/* Cells of a GFM table row: split on '|' not escaped by a backslash,
 * without the leading and trailing pipe. -1 when the row does not start
 * and end with a pipe. */
static int gfm_cells(const char *line)
{
    size_t len = strlen(line);
    if (len < 2 || line[0] != '|' || line[len - 1] != '|')
        return -1;
    int pipes = 0;
    for (size_t i = 0; i < len; i++)
        if (line[i] == '|' && (i == 0 || line[i - 1] != '\\'))
            pipes++;
    return pipes - 1;
}

static bool gfm_delimiter_row(const char *line)
{
    for (const char *p = line; *p; p++)
        if (!strchr("|-: ", *p))
            return false;
    return strstr(line, "---") != NULL;
}

/* Every table in the file: header, delimiter with the same cell count,
 * rows with the same cell count. Returns the number of data rows. */
static int check_markdown(const char *file, int *tables)
{
    char path[512], line[4096];
    snprintf(path, sizeof path, "%s/%s", tmp, file);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "%s", path);
    if (!f)
        return 0;
    int rows = 0, header_cells = -1, lineno = 0;
    bool in_table = false, expect_delim = false;
    *tables = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        /* Raw HTML from the results would render: only our own tags. */
        for (const char *p = strchr(line, '<'); p; p = strchr(p + 1, '<'))
            CHECK(strncmp(p, "<details>", 9) == 0 || strncmp(p, "</details>", 10) == 0 ||
                      strncmp(p, "<summary>", 9) == 0 || strncmp(p, "</summary>", 10) == 0,
                  "line %d: raw '<' in %s", lineno, line);
        CHECK(strchr(line, '`') == NULL || strstr(line, "\\`") || line[0] == '-',
              "line %d: unescaped backquote: %s", lineno, line);
        if (expect_delim) {
            CHECK(gfm_delimiter_row(line) && gfm_cells(line) == header_cells,
                  "line %d: delimiter row: %s", lineno, line);
            expect_delim = false;
            in_table = true;
            continue;
        }
        if (in_table) {
            if (line[0] == '\0') {
                in_table = false;
                continue;
            }
            CHECK(gfm_cells(line) == header_cells, "line %d: %d cells, header has %d: %s",
                  lineno, gfm_cells(line), header_cells, line);
            rows++;
            continue;
        }
        if (strncmp(line, "| Verdict |", 11) == 0) {
            header_cells = gfm_cells(line);
            CHECK(header_cells == 10, "header cells %d", header_cells);
            expect_delim = true;
            (*tables)++;
        }
    }
    fclose(f);
    return rows;
}

static bool file_contains(const char *file, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strstr(buf, text) != NULL;
}

static void test_formats(void)
{
    write_run("base", 1.0, 0, 1);
    write_run("slow", 0.75, 3 << 20, 2);
    int rc = compare("base", "slow", NULL);
    CHECK(rc == 1, "exit %d", rc);
    /* 2 workloads x 2 allocators: throughput in the bigger file; latency,
     * peak heap, frag, brk (4) plus dTLB where glibc measured it (1). */
    check_bench_json("bigger.json", true, 4);
    check_bench_json("smaller.json", false, 4 * 4 + 2);
    int tables;
    int rows = check_markdown("report.md", &tables);
    CHECK(tables == 2, "changes table and folded table: %d", tables);
    /* 4 pairs x 6 key metrics, minus jemalloc's unsupported dTLB rows,
     * which stay in the tables (only a metric unsupported everywhere is
     * folded into one note). */
    CHECK(rows == 24, "%d table rows", rows);
    CHECK(file_contains("report.md", "evil\\|name &lt;b&gt;x&lt;/b&gt; \\`touch pwned\\` \\*y\\*"),
          "nasty name escaped");
    CHECK(file_contains("report.md", "### allocscope compare: ❌ regression"), "title");
    CHECK(file_contains("report.md", "🔴 regressed"), "regressions marked");

    rc = compare("base", "base", NULL);
    CHECK(rc == 0, "exit %d", rc);
    rows = check_markdown("report.md", &tables);
    CHECK(tables == 1 && rows == 24, "no-change report: %d tables %d rows", tables, rows);
    CHECK(file_contains("report.md", "No significant change."), "says so");
    CHECK(file_contains("report.md", "✅ no regression"), "title");
}

static void test_baselines(void)
{
    char base[512], bl[512];
    snprintf(base, sizeof base, "%s/base", tmp);
    snprintf(bl, sizeof bl, "%s/baselines", tmp);
    write_run("base", 1.0, 0, 1);
    write_run("slow", 0.75, 0, 2);
    char *save[] = {"baseline", "--baselines", bl, "save", "main", base, NULL};
    CHECK(cmd_baseline(6, save) == 0, "save");
    CHECK(cmd_baseline(6, save) == 2, "refuses to overwrite");
    char *replace[] = {"baseline", "--baselines", bl, "--replace", "save", "main", base, NULL};
    CHECK(cmd_baseline(7, replace) == 0, "--replace");
    char *bad[] = {"baseline", "--baselines", bl, "save", "../evil", base, NULL};
    CHECK(cmd_baseline(6, bad) == 2, "bad name");
    char *list[] = {"baseline", "--baselines", bl, "list", NULL};
    CHECK(cmd_baseline(4, list) == 0, "list");
    char saved[600];
    snprintf(saved, sizeof saved, "%s/main/summary.csv", bl);
    CHECK(access(saved, R_OK) == 0, "%s", saved);
    /* compare by name: BASE "main" resolves to BASELINES/main */
    char n[512], *argv[] = {"compare", "--baselines", bl, "main", n, NULL};
    snprintf(n, sizeof n, "%s/slow", tmp);
    CHECK(cmd_compare(5, argv) == 1, "compare against a named baseline");
    char *missing[] = {"compare", "--baselines", bl, "nope", n, NULL};
    CHECK(cmd_compare(5, missing) == 2, "unknown baseline");
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/allocscope-outputs-test-%ld", (long)getpid());
    synth_rmdir(tmp);
    mkdir(tmp, 0777);
    test_formats();
    test_baselines();
    synth_rmdir(tmp);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("outputs: all checks passed\n");
    return 0;
}
