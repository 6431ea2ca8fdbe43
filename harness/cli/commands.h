/* commands.h - allocscope's subcommands, one file each (cmd_NAME.c).
 * Each takes argv with argv[0] = the command name and returns the process
 * exit status of the contract: 0 ok, 1 regression (compare), 2 usage error
 * or invalid input, 3 some runs failed (or nothing was measured), 4 a
 * result or chart could not be written, 128+N stopped by signal N. */
#ifndef ALLOCSCOPE_COMMANDS_H
#define ALLOCSCOPE_COMMANDS_H

enum exit_status {
    EXIT_OK = 0,
    EXIT_REGRESSION = 1,
    EXIT_USAGE = 2,
    EXIT_RUNS_FAILED = 3,
    EXIT_NOT_WRITTEN = 4,
};

int cmd_run(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_plot_history(int argc, char **argv); /* plot --history */
int cmd_record(int argc, char **argv);
int cmd_trace(int argc, char **argv);       /* trace info | trace fit */
int cmd_trace_info(int argc, char **argv);
int cmd_trace_fit(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_ab(int argc, char **argv);

#endif
