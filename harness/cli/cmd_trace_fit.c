/* cmd_trace_fit.c - placeholder until the fit is written. */
#include <stdio.h>

#include "commands.h"

int cmd_trace_fit(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "allocscope trace fit: not written yet\n");
    return EXIT_USAGE;
}
