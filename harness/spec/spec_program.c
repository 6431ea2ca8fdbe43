/* spec_program.c - workloads that run a real program or a service:
 *
 *   workload:
 *     name: sort-numbers
 *     command: [sort, -n, data/numbers.txt]
 *     cwd: programs/            # relative to the YAML file (default: its folder)
 *     env: {LC_ALL: C}
 *     stdin: input.txt          # relative to cwd
 *     timeout: 60
 *     sample_interval: 10ms     # or `none`
 *     expect: {exit: 0, same_output: true}
 *
 *   workload:
 *     name: redis-lpush
 *     service:
 *       command: [redis-server, --port, "0", --unixsocket, "{tmp}/redis.sock"]
 *       ready: {unix_socket: "{tmp}/redis.sock", timeout: 10}
 *     load: [redis-benchmark, -s, "{tmp}/redis.sock", -n, "100000", lpush, a, "1"]
 *
 * Everything a run needs is checked here, at its position in the file:
 * executables exist, folders and stdin files exist, placeholders are known.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec_parse.h"

static const char *const program_keys[] = {
    "name", "description", "command", "service", "load", "cwd", "env", "stdin", "timeout",
    "sample_interval", "expect", "setup", NULL,
};
static const char *const service_keys[] = {"command", "ready", "stop_timeout", NULL};
static const char *const ready_keys[] = {"unix_socket", "tcp", "delay", "timeout", NULL};
static const char *const expect_keys[] = {"exit", "same_output", NULL};
static const char *const placeholders[] = {"tmp", "port", "dir", NULL};

#define MAX_TIMEOUT_S (7.0 * 24 * 3600)
#define MAX_ARGS 4096

/* Length of the placeholder name at p (after '{') when it is one:
 * [A-Za-z_][A-Za-z0-9_]* closed by '}'; 0 otherwise (a literal brace, as in
 * a Python or shell snippet). */
size_t spec_placeholder_len(const char *p)
{
    size_t n = 0;
    if (!((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z') || p[0] == '_'))
        return 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') || p[n] == '_' ||
           (p[n] >= '0' && p[n] <= '9'))
        n++;
    return p[n] == '}' ? n : 0;
}

/* {NAME} must be {tmp}, {port} or {dir}; {{ and }} are literal braces;
 * any other brace is literal text. */
static int check_placeholders(const struct yctx *c, const struct ynode *at, const char *text)
{
    for (const char *p = text; *p; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            p++;
            continue;
        }
        size_t len = p[0] == '{' ? spec_placeholder_len(p + 1) : 0;
        if (!len)
            continue;
        bool known = false;
        for (size_t i = 0; placeholders[i]; i++)
            known |= len == strlen(placeholders[i]) && strncmp(p + 1, placeholders[i], len) == 0;
        if (!known)
            return yfail(c, at, "unknown placeholder '{%.*s}' (known: {tmp} a fresh folder per "
                                "run, {port} a free loopback port, {dir} the YAML file's "
                                "folder; write {{ for a literal brace)",
                         (int)len, p + 1);
        p += len + 1;
    }
    return 0;
}

/* The executable `name` resolves to, as execvp would find it, or NULL. */
static char *resolve_executable(const char *name, const char *cwd, const char *path_env)
{
    char buf[PATH_MAX * 2];
    if (strchr(name, '/')) {
        if (name[0] == '/')
            snprintf(buf, sizeof buf, "%s", name);
        else
            snprintf(buf, sizeof buf, "%s/%s", cwd, name);
        struct stat st;
        return stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0
                   ? realpath(buf, NULL)
                   : NULL;
    }
    const char *p = path_env && *path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
    while (*p) {
        size_t n = strcspn(p, ":");
        if (n == 0)
            snprintf(buf, sizeof buf, "%s/%s", cwd, name); /* empty entry = current dir */
        else if (p[0] == '/')
            snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, name);
        else
            snprintf(buf, sizeof buf, "%s/%.*s/%s", cwd, (int)n, p, name);
        struct stat st;
        if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
            return realpath(buf, NULL);
        p += n;
        if (*p == ':')
            p++;
    }
    return NULL;
}

static const char *program_path_env(const struct program_spec *p)
{
    for (size_t i = 0; i < p->env_count; i++)
        if (strncmp(p->env[i], "PATH=", 5) == 0)
            return p->env[i] + 5;
    return getenv("PATH");
}

static int read_command(const struct yctx *c, const char *key, const struct ynode *n,
                        const struct program_spec *p, struct program_command *cmd)
{
    if (yexpect_sequence(c, key, n) != 0)
        return -1;
    n = ynode_deref(n);
    if (n->count == 0)
        return yfail(c, n, "'%s' is empty: give the program and its arguments, e.g. "
                           "[sort, -n, data.txt]", key);
    if (n->count > MAX_ARGS)
        return yfail(c, n, "'%s' has %zu arguments, at most %d", key, n->count, MAX_ARGS);
    cmd->pos = (struct source_pos){c->file, n->line, n->col};
    if (!(cmd->argv = calloc(n->count + 1, sizeof *cmd->argv)))
        return yfail(c, n, "out of memory");
    cmd->argc = n->count;
    for (size_t i = 0; i < n->count; i++) {
        const struct ynode *item = ynode_deref(n->items[i]);
        char buf[64];
        if (item->kind != YNODE_SCALAR || ynode_is_null(item))
            return yfail(c, item, "'%s' entries are strings, got %s", key,
                         ydescribe(item, buf, sizeof buf));
        if (yread_string(c, key, item, &cmd->argv[i]) != 0)
            return -1;
        if (check_placeholders(c, item, cmd->argv[i]) != 0)
            return -1;
    }
    const struct ynode *first = ynode_deref(n->items[0]);
    if (strchr(cmd->argv[0], '{'))
        return yfail(c, first, "the program to run cannot hold a placeholder: '%s'",
                     cmd->argv[0]);
    if (!cmd->argv[0][0])
        return yfail(c, first, "the program to run is an empty string");
    cmd->path = resolve_executable(cmd->argv[0], p->cwd, program_path_env(p));
    if (!cmd->path) {
        if (strchr(cmd->argv[0], '/'))
            return yfail(c, first, "executable '%s' not found or not executable (relative "
                                   "paths start at %s)", cmd->argv[0], p->cwd);
        return yfail(c, first, "executable '%s' not found in PATH (install it, or give its "
                               "path)", cmd->argv[0]);
    }
    return 0;
}

static void dir_of(const char *file, char *out, size_t len)
{
    char real[PATH_MAX];
    const char *slash = strrchr(file, '/');
    char dir[PATH_MAX];
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file);
    else
        snprintf(dir, sizeof dir, ".");
    if (slash == file)
        snprintf(dir, sizeof dir, "/");
    snprintf(out, len, "%s", realpath(dir, real) ? real : dir);
}

static int read_cwd(const struct yctx *c, const struct ynode *map, struct program_spec *p)
{
    char dir[PATH_MAX], joined[PATH_MAX * 2], real[PATH_MAX];
    dir_of(c->file, dir, sizeof dir);
    if (!(p->dir = strdup(dir)))
        return yfail(c, map, "out of memory");
    const struct ynode *v = ymap_get(map, "cwd");
    if (!v) {
        /* A file read from memory ("<string>") has no folder of its own. */
        if (!(p->cwd = strdup(dir)))
            return yfail(c, map, "out of memory");
        return 0;
    }
    char *text;
    if (yread_string(c, "cwd", v, &text) != 0)
        return -1;
    if (text[0] == '/')
        snprintf(joined, sizeof joined, "%s", text);
    else
        snprintf(joined, sizeof joined, "%s/%s", dir, text);
    struct stat st;
    int ok = realpath(joined, real) && stat(real, &st) == 0 && S_ISDIR(st.st_mode);
    int err = errno;
    free(text);
    if (!ok)
        return yfail(c, v, "cwd '%s' is not a folder: %s", joined,
                     err ? strerror(err) : "not a directory");
    if (!(p->cwd = strdup(real)))
        return yfail(c, v, "out of memory");
    return 0;
}

static bool env_name_ok(const char *s)
{
    if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        return false;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
              (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

static int read_env(const struct yctx *c, const struct ynode *v, struct program_spec *p)
{
    if (yexpect_mapping(c, "env", v) != 0)
        return -1;
    v = ynode_deref(v);
    if (!(p->env = calloc(v->count + 1, sizeof *p->env)))
        return yfail(c, v, "out of memory");
    for (size_t i = 0; i < v->count; i++) {
        const struct ynode *k = ymap_key_at(v, i), *val = ymap_value_at(v, i);
        if (!env_name_ok(k->text))
            return yfail(c, k, "'%s' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
                         k->text);
        if (strcmp(k->text, "LD_PRELOAD") == 0 || strcmp(k->text, "ALLOCSCOPE_PROBE") == 0)
            return yfail(c, k, "'%s' is set by allocscope for each allocator; it cannot be "
                               "given in 'env'", k->text);
        char *text;
        if (val->kind != YNODE_SCALAR || ynode_is_null(val)) {
            char buf[64];
            return yfail(c, val, "env '%s' needs a string value, got %s", k->text,
                         ydescribe(val, buf, sizeof buf));
        }
        if (yread_string(c, k->text, val, &text) != 0)
            return -1;
        if (check_placeholders(c, val, text) != 0) {
            free(text);
            return -1;
        }
        size_t len = strlen(k->text) + strlen(text) + 2;
        if (!(p->env[i] = malloc(len))) {
            free(text);
            return yfail(c, v, "out of memory");
        }
        snprintf(p->env[i], len, "%s=%s", k->text, text);
        free(text);
        p->env_count++;
    }
    return 0;
}

static int read_stdin(const struct yctx *c, const struct ynode *v, struct program_spec *p)
{
    char *text, joined[PATH_MAX * 2], real[PATH_MAX];
    if (yread_string(c, "stdin", v, &text) != 0)
        return -1;
    if (text[0] == '/')
        snprintf(joined, sizeof joined, "%s", text);
    else
        snprintf(joined, sizeof joined, "%s/%s", p->cwd, text);
    free(text);
    struct stat st;
    if (!realpath(joined, real) || stat(real, &st) != 0 || !S_ISREG(st.st_mode) ||
        access(real, R_OK) != 0)
        return yfail(c, v, "stdin file '%s' is not a readable file", joined);
    if (!(p->stdin_path = strdup(real)))
        return yfail(c, v, "out of memory");
    return 0;
}

/* "10ms", "2s", "500us", or `none` (no time series). */
static int read_interval(const struct yctx *c, const struct ynode *v, double *out)
{
    v = ynode_deref(v);
    if (v->kind == YNODE_SCALAR && strcmp(v->text, "none") == 0) {
        *out = 0;
        return 0;
    }
    char *end;
    double x = v->kind == YNODE_SCALAR ? strtod(v->text, &end) : -1;
    double unit = 0;
    if (v->kind == YNODE_SCALAR && end != v->text) {
        if (strcmp(end, "us") == 0)
            unit = 1e-6;
        else if (strcmp(end, "ms") == 0)
            unit = 1e-3;
        else if (strcmp(end, "s") == 0)
            unit = 1;
    }
    if (unit == 0)
        return yfail(c, v, "'sample_interval' is a duration with a unit (500us, 10ms, 1s) "
                           "or 'none', got '%s'", v->kind == YNODE_SCALAR ? v->text : "?");
    *out = x * unit;
    if (!(*out >= 0.001 && *out <= 60))
        return yfail(c, v, "'sample_interval' must be between 1ms and 60s, got '%s'", v->text);
    return 0;
}

static int read_expect(const struct yctx *c, const struct ynode *v, struct program_spec *p)
{
    if (yexpect_mapping(c, "expect", v) != 0)
        return -1;
    v = ynode_deref(v);
    if (ymap_check_keys(c, v, "'expect'", expect_keys) != 0)
        return -1;
    const struct ynode *x;
    uint64_t code;
    if ((x = ymap_get(v, "exit"))) {
        if (yread_u64(c, "exit", x, 0, 255, &code) != 0)
            return -1;
        p->expect_exit = (int)code;
    }
    if ((x = ymap_get(v, "same_output")) && yread_bool(c, "same_output", x, &p->same_output))
        return -1;
    return 0;
}

static int read_ready(const struct yctx *c, const struct ynode *v, struct program_spec *p)
{
    if (yexpect_mapping(c, "ready", v) != 0)
        return -1;
    v = ynode_deref(v);
    if (ymap_check_keys(c, v, "'ready'", ready_keys) != 0)
        return -1;
    const struct ynode *x, *kind = NULL;
    static const char *const kinds[] = {"unix_socket", "tcp", "delay"};
    for (int i = 0; i < 3; i++)
        if ((x = ymap_key(v, kinds[i]))) {
            if (kind)
                return yfail(c, x, "'ready' takes one of unix_socket, tcp or delay");
            kind = x;
            p->ready = (enum ready_kind)(READY_UNIX_SOCKET + i);
        }
    if (!kind)
        return yfail(c, v, "'ready' needs unix_socket: PATH, tcp: PORT or delay: SECONDS");
    if ((x = ymap_get(v, "timeout")) &&
        yread_double(c, "timeout", x, 0, true, MAX_TIMEOUT_S, &p->ready_timeout_s) != 0)
        return -1;
    if (p->ready == READY_UNIX_SOCKET) {
        x = ymap_get(v, "unix_socket");
        if (yread_string(c, "unix_socket", x, &p->ready_target) != 0 ||
            check_placeholders(c, x, p->ready_target) != 0)
            return -1;
        if (strlen(p->ready_target) > 100)
            return yfail(c, x, "a unix socket path has at most 107 bytes; keep it short");
    } else if (p->ready == READY_TCP) {
        x = ymap_get(v, "tcp");
        uint64_t port;
        if (x->kind == YNODE_SCALAR && strcmp(x->text, "{port}") == 0)
            p->ready_port = 0;
        else if (yread_u64(c, "tcp", x, 1, 65535, &port) != 0)
            return -1;
        else
            p->ready_port = (unsigned)port;
    } else if (yread_double(c, "delay", ymap_get(v, "delay"), 0, true, 3600,
                            &p->ready_delay_s) != 0) {
        return -1;
    }
    return 0;
}

static int read_service(const struct yctx *c, const struct ynode *map, const struct ynode *v,
                        struct program_spec *p)
{
    if (yexpect_mapping(c, "service", v) != 0)
        return -1;
    v = ynode_deref(v);
    if (ymap_check_keys(c, v, "'service'", service_keys) != 0)
        return -1;
    const struct ynode *x = ymap_get(v, "command");
    if (!x)
        return yfail(c, v, "'service' needs 'command' (the server to measure)");
    if (read_command(c, "command", x, p, &p->command) != 0)
        return -1;
    if ((x = ymap_get(v, "ready")) && read_ready(c, x, p) != 0)
        return -1;
    if ((x = ymap_get(v, "stop_timeout")) &&
        yread_double(c, "stop_timeout", x, 0, true, 3600, &p->stop_timeout_s) != 0)
        return -1;
    if (!(x = ymap_get(map, "load")))
        return yfail(c, map, "a service workload needs 'load': the command that drives it "
                             "(run without the allocator)");
    return read_command(c, "load", x, p, &p->load);
}

static int read_program(const struct yctx *c, const struct ynode *map, struct program_spec *p)
{
    const struct ynode *v;
    p->sample_interval_s = PROGRAM_DEFAULT_INTERVAL_S;
    p->ready_timeout_s = 30;
    p->stop_timeout_s = 10;
    if ((v = ymap_get(map, "env")) && read_env(c, v, p) != 0)
        return -1;
    if (read_cwd(c, map, p) != 0)
        return -1;
    if ((v = ymap_get(map, "stdin")) && read_stdin(c, v, p) != 0)
        return -1;
    if ((v = ymap_get(map, "sample_interval")) && read_interval(c, v, &p->sample_interval_s))
        return -1;
    if ((v = ymap_get(map, "expect")) && read_expect(c, v, p) != 0)
        return -1;
    if ((v = ymap_get(map, "setup")) && read_command(c, "setup", v, p, &p->setup) != 0)
        return -1;
    const struct ynode *cmd = ymap_key(map, "command"), *svc = ymap_key(map, "service");
    if (cmd && svc)
        return yfail(c, svc, "a workload has 'command' (a program) or 'service', not both");
    if (svc) {
        p->service = true;
        return read_service(c, map, ymap_get(map, "service"), p);
    }
    if ((v = ymap_key(map, "load")))
        return yfail(c, v, "'load' belongs to a service workload ('service: {command: ...}')");
    return read_command(c, "command", ymap_get(map, "command"), p, &p->command);
}

int spec_read_program_workload(const struct yctx *c, const struct ynode *map,
                               struct workload_spec *w)
{
    if (ymap_check_keys(c, map, "a program workload", program_keys) != 0)
        return -1;
    w->pos = (struct source_pos){c->file, map->line, map->col};
    w->timeout_s = 120;
    w->threads = 1;
    const struct ynode *v = ymap_get(map, "name");
    if (!v)
        return yfail(c, map, "a workload needs 'name'");
    if (yread_name(c, "workload name", v, false, &w->name) != 0)
        return -1;
    if ((v = ymap_get(map, "description")) && yread_string(c, "description", v, &w->description))
        return -1;
    if ((v = ymap_get(map, "timeout")) &&
        yread_double(c, "timeout", v, 0, true, MAX_TIMEOUT_S, &w->timeout_s) != 0)
        return -1;
    if (!(w->program = calloc(1, sizeof *w->program)))
        return yfail(c, map, "out of memory");
    return read_program(c, map, w->program);
}

static void command_free(struct program_command *cmd)
{
    for (size_t i = 0; cmd->argv && i < cmd->argc; i++)
        free(cmd->argv[i]);
    free(cmd->argv);
    free(cmd->path);
}

void spec_program_free(struct program_spec *p)
{
    if (!p)
        return;
    command_free(&p->command);
    command_free(&p->load);
    command_free(&p->setup);
    for (size_t i = 0; i < p->env_count; i++)
        free(p->env[i]);
    free(p->env);
    free(p->cwd);
    free(p->dir);
    free(p->stdin_path);
    free(p->ready_target);
    free(p);
}

int spec_program_from_argv(const char *name, char **argv, size_t argc, double timeout_s,
                           double interval_s, struct suite_spec *out, struct spec_error *err)
{
    memset(out, 0, sizeof *out);
    char cwd[PATH_MAX];
    if (argc == 0 || !getcwd(cwd, sizeof cwd)) {
        snprintf(err->message, sizeof err->message, "allocscope exec: %s",
                 argc == 0 ? "no program given (allocscope exec -- PROG ARGS...)"
                           : strerror(errno));
        return -1;
    }
    out->files = calloc(1, sizeof *out->files);
    out->workloads = calloc(1, sizeof *out->workloads);
    struct program_spec *p = calloc(1, sizeof *p);
    struct workload_spec *w = out->workloads;
    if (!out->files || !out->workloads || !p || !(out->files[0] = strdup("<command line>")))
        goto oom;
    out->file_count = out->workload_count = 1;
    w->program = p;
    w->pos = (struct source_pos){out->files[0], 1, 1};
    w->threads = 1;
    w->timeout_s = timeout_s;
    p->sample_interval_s = interval_s;
    p->ready_timeout_s = 30;
    p->stop_timeout_s = 10;
    if (!(w->name = strdup(name)) || !(out->name = strdup(name)) || !(p->cwd = strdup(cwd)) ||
        !(p->dir = strdup(cwd)) || !(p->command.argv = calloc(argc + 1, sizeof(char *))))
        goto oom;
    p->command.argc = argc;
    p->command.pos = w->pos;
    for (size_t i = 0; i < argc; i++)
        if (!(p->command.argv[i] = strdup(argv[i])))
            goto oom;
    p->command.path = resolve_executable(argv[0], cwd, getenv("PATH"));
    if (!p->command.path) {
        snprintf(err->message, sizeof err->message,
                 "allocscope exec: '%s': command not found or not executable", argv[0]);
        spec_free(out);
        return -1;
    }
    return 0;
oom:
    snprintf(err->message, sizeof err->message, "allocscope exec: out of memory");
    if (!w->program)
        free(p);
    spec_free(out);
    return -1;
}
