/* check_driver.c - runs `allocscope check` without the allocscope binary:
 * check_driver FILE... == allocscope check FILE... (same output, status). */
#include "commands.h"

int main(int argc, char **argv)
{
    argv[0] = "check";
    return cmd_check(argc, argv);
}
