/* fuzz_spec.c - libFuzzer target: the workload/suite YAML loader on any
 * bytes. A crash, a sanitizer report or a leak is a bug; a clean error
 * (FILE:LINE:COL: message) is the expected outcome for most inputs. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct suite_spec s;
    struct spec_error err;
    if (spec_load_string((const char *)data, size, "fuzz.yaml", &s, &err) == 0) {
        for (size_t i = 0; i < s.workload_count; i++) {
            (void)spec_workload_hash(&s.workloads[i]);
            (void)spec_workload_live_floor(&s.workloads[i]);
        }
        spec_apply_quick(&s, 0.1);
        spec_free(&s);
    } else if (memchr(err.message, ':', sizeof err.message) == NULL) {
        __builtin_trap(); /* every error says where */
    }
    return 0;
}
