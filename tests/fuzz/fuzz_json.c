/* fuzz_json.c - libFuzzer target: run.json as compare, baseline and plot
 * read it, on any bytes, with a fixed valid summary.csv beside it; an
 * accepted run is then compared with itself (every field of run.json that
 * compare reads is used). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compare.h"
#include "run_json_file.h"
#include "run_reader.h"

static const char summary[] =
    "workload,allocator,rep,status,reason,ops,ops_per_s,peak_heap_bytes,opstream_hash\n"
    "w,glibc,1,ok,,100,1000.5,4096,00000000000000ff\n"
    "w,glibc,2,ok,,100,1001.5,4096,\n"
    "w,jemalloc,1,crashed,\"killed, SIGSEGV\",,,,\n"
    "x,glibc,1,interrupted,,,,,\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    json_t *j = run_json_parse((const char *)data, size, "run.json", err, sizeof err);
    json_decref(j);
    struct run_data r;
    if (run_load_texts("fuzz", (const char *)data, size, summary, sizeof summary - 1, &r, err,
                       sizeof err) != 0)
        return 0;
    char why[512];
    (void)run_incomplete(&r, why, sizeof why);
    struct compare_options o;
    compare_options_default(&o);
    struct compare_report rep;
    compare_runs(&r, &r, &o, &rep);
    (void)compare_exit_status(&rep);
    compare_report_free(&rep);
    run_free(&r);
    return 0;
}
