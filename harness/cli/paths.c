/* paths.c - shipped data locations (see paths.h). */
#include "paths.h"

#include <stdio.h>
#include <stdlib.h>

const char *allocscope_data_dir(void)
{
    const char *env = getenv("ALLOCSCOPE_DATA_DIR");
    return env && env[0] ? env : ALLOCSCOPE_SOURCE_DIR;
}

void allocscope_data_path(const char *relative, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s", allocscope_data_dir(), relative);
}
