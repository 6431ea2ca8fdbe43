/* run_json_file.h - run.json read back: a regular file of at most
 * BOUNDED_JSON_MAX bytes (bounded_file.h) holding one JSON object. */
#ifndef ALLOCSCOPE_RUN_JSON_FILE_H
#define ALLOCSCOPE_RUN_JSON_FILE_H

#include <jansson.h>
#include <stddef.h>

/* The object, or NULL with "NAME:LINE: message" in err. */
json_t *run_json_parse(const char *text, size_t len, const char *name, char *err,
                       size_t errlen);

/* DIR/run.json; a missing file says "not a run directory". */
json_t *run_json_read_dir(const char *dir, char *err, size_t errlen);

#endif
