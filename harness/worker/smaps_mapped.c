/* smaps_mapped.c - the accessible mapped size of the process and how much
 * of it is resident, mapping by mapping from /proc/self/smaps. Streamed
 * through a stack buffer (the file grows with the mappings; no malloc in
 * the measured child). A mapping counts when it can be accessed at all
 * (not ---p: a PROT_NONE reservation is never resident, locked or not) and
 * is not one of the kernel's special mappings ([vvar], [vdso],
 * [vsyscall]). Private anonymous mappings' shared pages are summed apart:
 * after a fork, the pages the parent still shares with its child. Costs about as much as smaps_rollup: end of run only. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "samplers.h"

/* A private anonymous mapping: no name, or a bracketed one ([heap],
 * [stack], [anon:...]); the harness's shared mappings are named (memfd,
 * /dev/zero) and files are paths. */
static bool header_anon(const char *line, size_t len)
{
    /* The name starts after the 5th field. */
    size_t i = 0;
    for (int field = 0; field < 5; field++) {
        while (i < len && line[i] != ' ')
            i++;
        while (i < len && line[i] == ' ')
            i++;
    }
    return i == len || line[i] == '[';
}

/* A mapping's header line: "start-end perms offset dev inode [name]". */
static bool header_counts(const char *line, size_t len)
{
    const char *sp = memchr(line, ' ', len);
    if (!sp || (size_t)(sp - line) + 5 > len)
        return false;
    const char *perms = sp + 1;
    if (perms[0] == '-' && perms[1] == '-' && perms[2] == '-')
        return false;
    static const char *const special[] = {"[vvar]", "[vdso]", "[vsyscall]", "[vvar_vclock]"};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        size_t n = strlen(special[i]);
        if (len >= n && memcmp(line + len - n, special[i], n) == 0)
            return false;
    }
    return true;
}

static bool is_header(const char *line, size_t len)
{
    /* Headers start with a hex address and a '-'; field lines with a name
     * and a ':'. */
    for (size_t i = 0; i < len; i++) {
        char c = line[i];
        if (c == '-')
            return i > 0;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return false;
}

static uint64_t kb_value(const char *line, size_t len, size_t skip)
{
    uint64_t v = 0;
    size_t i = skip;
    while (i < len && line[i] == ' ')
        i++;
    while (i < len && line[i] >= '0' && line[i] <= '9')
        v = v * 10 + (uint64_t)(line[i++] - '0');
    return v * 1024;
}

struct walk {
    bool counting, anon;
};

static void take_line(const char *line, size_t len, struct walk *w, struct smaps_mapped *out)
{
    if (is_header(line, len)) {
        w->counting = header_counts(line, len);
        w->anon = w->counting && header_anon(line, len);
        return;
    }
    if (!w->counting)
        return;
    if (len > 5 && memcmp(line, "Size:", 5) == 0)
        out->mapped_bytes += kb_value(line, len, 5);
    else if (len > 4 && memcmp(line, "Rss:", 4) == 0)
        out->rss_bytes += kb_value(line, len, 4);
    else if (w->anon && len > 13 && (memcmp(line, "Shared_Clean:", 13) == 0 ||
                                     memcmp(line, "Shared_Dirty:", 13) == 0))
        out->anon_shared_bytes += kb_value(line, len, 13);
}

int smaps_mapped_read(struct smaps_mapped *out)
{
    char buf[16384];
    size_t have = 0;
    struct walk w = {false, false};
    memset(out, 0, sizeof *out);
    int fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    for (;;) {
        ssize_t got = read(fd, buf + have, sizeof buf - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int err = -errno;
            close(fd);
            return err;
        }
        if (got == 0)
            break;
        have += (size_t)got;
        size_t start = 0;
        for (size_t i = 0; i < have; i++)
            if (buf[i] == '\n') {
                take_line(buf + start, i - start, &w, out);
                start = i + 1;
            }
        if (start == 0 && have == sizeof buf) { /* a line longer than the buffer */
            close(fd);
            return -EOVERFLOW;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
    }
    close(fd);
    return 0;
}
