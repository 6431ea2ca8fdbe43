/* fuzz_csv.c - libFuzzer target: the strict CSV reader and the
 * summary.csv checks on any bytes. Whatever is accepted must be a table
 * whose every row has the header's width. */
#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "summary_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    struct csv_table t;
    if (csv_parse((const char *)data, size, "fuzz.csv", &t, err, sizeof err) == 0) {
        for (size_t r = 0; r < t.rows; r++)
            for (size_t c = 0; c < t.columns; c++)
                if (!t.cells[r][c])
                    __builtin_trap();
        csv_free(&t);
    }
    if (summary_parse((const char *)data, size, "summary.csv", &t, err, sizeof err) == 0)
        csv_free(&t);
    return 0;
}
