/* paths.h - where allocscope finds its shipped data (registry, workloads). */
#ifndef ALLOCSCOPE_PATHS_H
#define ALLOCSCOPE_PATHS_H

#include <stddef.h>

/* $ALLOCSCOPE_DATA_DIR, else the source tree it was built from. */
const char *allocscope_data_dir(void);

/* DATA_DIR/<relative> into out. */
void allocscope_data_path(const char *relative, char *out, size_t outlen);

#endif
