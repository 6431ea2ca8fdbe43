/* run_json_file.c - reading run.json (see run_json_file.h). */
#include "run_json_file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "bounded_file.h"

json_t *run_json_parse(const char *text, size_t len, const char *name, char *err,
                       size_t errlen)
{
    json_error_t jerr;
    /* Duplicate keys are refused: which one counts would be a guess. */
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s:%d: %s", name, jerr.line, jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s:1: not a JSON object", name);
        json_decref(root);
        return NULL;
    }
    return root;
}

json_t *run_json_read_dir(const char *dir, char *err, size_t errlen)
{
    char path[PATH_MAX + 16], why[128];
    if (snprintf(path, sizeof path, "%s/run.json", dir) >= (int)sizeof path) {
        snprintf(err, errlen, "%s: path too long", dir);
        return NULL;
    }
    size_t len;
    char *text = bounded_read_file(path, BOUNDED_JSON_MAX, &len, why, sizeof why);
    if (!text) {
        if (errno == ENOENT)
            snprintf(err, errlen, "%s: not a run directory (no run.json)", dir);
        else
            snprintf(err, errlen, "%s: %s", path, why);
        return NULL;
    }
    json_t *root = run_json_parse(text, len, path, err, errlen);
    free(text);
    return root;
}
