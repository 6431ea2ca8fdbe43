/* test_history.c - `allocscope plot --history`: a chart of a metric over
 * several synthetic runs, labelled by commit; text from the results never
 * runs as a command in gnuplot. */
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

static void write_run(const char *name, const char *commit, double tput, uint64_t seed)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", tmp, name);
    struct synth_host host = {.git_commit = commit};
    FILE *f = synth_begin(dir, &host);
    const char *workloads[] = {"churn", "larson'`touch pwned-by-workload`"};
    for (int w = 0; w < 2; w++)
        for (int rep = 1; rep <= 3; rep++) {
            struct synth_row r = {
                .workload = workloads[w],
                .allocator = "glibc",
                .rep = rep,
                .ops = 1e5,
                .ops_per_s = tput * (1 + 0.02 * synth_normal(&seed)),
                .latency_p99_ns = 900,
                .peak_heap_bytes = 1 << 20,
                .frag_peak_ratio = 1.2,
                .peak_brk_bytes = 135168,
                .dtlb_per_kop = NAN,
            };
            synth_row(f, &r);
        }
    synth_end(f);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[1 << 21];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/allocscope-history-test-%ld", (long)getpid());
    synth_rmdir(tmp);
    mkdir(tmp, 0777);
    if (chdir(tmp) != 0)
        return 2;
    write_run("r1", "aaaaaaaaaaa1", 1.0e6, 1);
    write_run("r2", "bbbbbbbbbbb2", 1.1e6, 2);
    write_run("r3", "ccccccccccc3", 0.9e6, 3);

    char *argv[] = {"plot", "--history", "-m", "throughput", "-o", "tput.svg", "r1", "r2", "r3",
                    NULL};
    CHECK(cmd_plot_history(9, argv) == 0, "history chart");
    char *svg = slurp("tput.svg");
    CHECK(svg && strstr(svg, "<svg"), "an SVG was drawn");
    CHECK(svg && strstr(svg, "aaaaaaaaaaa1") && strstr(svg, "ccccccccccc3"),
          "runs labelled by commit");
    CHECK(svg && strstr(svg, "churn / glibc"), "series named");
    char *gp = slurp("tput.gp");
    CHECK(gp && strstr(gp, "$s0 << EOD") && strstr(gp, "$s1 << EOD"), "data inline");
    CHECK(gp && !strstr(gp, "`"), "no backquote reaches the script");
    CHECK(access("pwned-by-workload", F_OK) != 0, "workload name did not run a command");

    char *labels[] = {"plot", "--history", "-m", "throughput", "-o", "labels.svg", "--labels",
                      "v1'x,v2`touch pwned-by-label`,v3", "r1", "r2", "r3", NULL};
    CHECK(cmd_plot_history(11, labels) == 0, "--labels");
    CHECK(access("pwned-by-label", F_OK) != 0, "label did not run a command");
    svg = slurp("labels.svg");
    CHECK(svg && strstr(svg, "v1"), "label used");

    char *wrong[] = {"plot", "--history", "--labels", "a,b", "r1", "r2", "r3", NULL};
    CHECK(cmd_plot_history(7, wrong) == 2, "label count must match");
    char *tlb[] = {"plot", "--history", "-m", "dtlb", "-o", "tlb.svg", "r1", "r2", NULL};
    CHECK(cmd_plot_history(8, tlb) == 2, "unsupported metric: no chart");
    CHECK(access("tlb.svg", F_OK) != 0, "nothing drawn for it");
    char *quote[] = {"plot", "--history", "-m", "throughput", "-o", "it's.svg", "r1", NULL};
    CHECK(cmd_plot_history(7, quote) == 2, "an output path with a quote is refused");
    char *none[] = {"plot", "--history", NULL};
    CHECK(cmd_plot_history(2, none) == 2, "no runs");

    /* Folder output: one chart per key metric that has values. */
    char *dir[] = {"plot", "--history", "-o", "charts", "-w", "churn", "r1", "r2", "r3", NULL};
    CHECK(cmd_plot_history(9, dir) == 0, "folder output");
    CHECK(access("charts/history-throughput.svg", R_OK) == 0, "throughput chart");
    CHECK(access("charts/history-peak_heap.svg", R_OK) == 0, "peak heap chart");
    CHECK(access("charts/history-dtlb.svg", F_OK) != 0, "no chart for unsupported dTLB");
    gp = slurp("charts/history-throughput.gp");
    CHECK(gp && !strstr(gp, "larson"), "--workload filters");

    if (chdir("/") != 0)
        return 2;
    synth_rmdir(tmp);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("history: all checks passed\n");
    return 0;
}
