/* probe.c - liballocscope_probe.so, preloaded beside the allocator when
 * allocscope runs a real program (see probe_protocol.h).
 *
 * One constructor and nothing else: it asks the dynamic linker which object
 * serves malloc, free, calloc and realloc for the program, looks for a
 * second allocator among the loaded objects, reads the memory state right
 * after exec, writes one report to the parent and returns. The probe
 * interposes no function, so the program's allocation calls never pass
 * through it.
 *
 * The constructor avoids malloc: fixed buffers, raw system calls, and a
 * hand-made lookup in each object's dynamic symbol table (dlopen/dlsym on
 * a handle would allocate through the allocator being measured).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe_protocol.h"

static const char *const symbol_names[PROBE_SYMBOLS] = {"malloc", "free", "calloc", "realloc"};

/* Decimal at *p up to `stop`; advances *p past the stop character. */
static int parse_u64(const char **p, char stop, uint64_t *out)
{
    uint64_t v = 0;
    const char *c = *p;
    if (*c < '0' || *c > '9')
        return -1;
    while (*c >= '0' && *c <= '9')
        v = v * 10 + (uint64_t)(*c++ - '0');
    if (*c != stop)
        return -1;
    *p = stop ? c + 1 : c;
    *out = v;
    return 0;
}

/* The report fd named by ALLOCSCOPE_PROBE, or -1 when the variable is
 * missing or the fd is no longer the parent's pipe. */
static int report_fd(void)
{
    const char *v = getenv(PROBE_ENV);
    uint64_t fd, dev, ino;
    struct stat st;
    if (!v || parse_u64(&v, ':', &fd) || parse_u64(&v, ':', &dev) || parse_u64(&v, '\0', &ino))
        return -1;
    if (fd > INT_MAX || fstat((int)fd, &st) < 0 || (uint64_t)st.st_dev != dev ||
        (uint64_t)st.st_ino != ino)
        return -1;
    return (int)fd;
}

static void copy_path(char *dst, const char *src)
{
    size_t n = strlen(src);
    if (n >= PROBE_PATH_MAX)
        n = PROBE_PATH_MAX - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void canonical(char *dst, const char *path)
{
    char real[PATH_MAX];
    copy_path(dst, realpath(path, real) ? real : path);
}

static void read_statm(struct probe_report *r)
{
    char buf[192];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    uint64_t v[3] = {0, 0, 0};
    const char *c = buf;
    for (int i = 0; i < 3; i++) {
        while (*c == ' ')
            c++;
        while (*c >= '0' && *c <= '9')
            v[i] = v[i] * 10 + (uint64_t)(*c++ - '0');
    }
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    r->rss_bytes = v[1] * page;
    r->anon_bytes = v[1] > v[2] ? (v[1] - v[2]) * page : 0;
}

/* ---- a symbol lookup in one loaded object's dynamic symbol table ------- */

struct dynsyms {
    const ElfW(Sym) *symtab;
    const char *strtab;
    const uint32_t *gnu_hash;
    const uint32_t *sysv_hash;
};

/* glibc relocates the address entries of a writable dynamic section in
 * place; read-only ones (the vDSO's) still hold offsets from the base. */
static const void *dyn_ptr(ElfW(Addr) base, ElfW(Addr) value)
{
    return (const void *)(value < base ? value + base : value);
}

static int find_dynsyms(const struct dl_phdr_info *info, struct dynsyms *d)
{
    memset(d, 0, sizeof *d);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type != PT_DYNAMIC)
            continue;
        const ElfW(Dyn) *dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
        for (; dyn->d_tag != DT_NULL; dyn++) {
            const void *p = dyn_ptr(info->dlpi_addr, dyn->d_un.d_ptr);
            if (dyn->d_tag == DT_SYMTAB)
                d->symtab = p;
            else if (dyn->d_tag == DT_STRTAB)
                d->strtab = p;
            else if (dyn->d_tag == DT_GNU_HASH)
                d->gnu_hash = p;
            else if (dyn->d_tag == DT_HASH)
                d->sysv_hash = p;
        }
    }
    return d->symtab && d->strtab && (d->gnu_hash || d->sysv_hash) ? 0 : -1;
}

static int is_definition(const struct dynsyms *d, uint32_t index, const char *name)
{
    const ElfW(Sym) *s = &d->symtab[index];
    int type = ELF64_ST_TYPE(s->st_info);
    return s->st_shndx != SHN_UNDEF && (type == STT_FUNC || type == STT_GNU_IFUNC) &&
           strcmp(d->strtab + s->st_name, name) == 0;
}

/* Does the object define `name` as a function? (GNU or SysV hash table.) */
static int defines(const struct dynsyms *d, const char *name)
{
    if (d->gnu_hash) {
        uint32_t h = 5381;
        for (const unsigned char *c = (const unsigned char *)name; *c; c++)
            h = h * 33 + *c;
        uint32_t nbuckets = d->gnu_hash[0], symoffset = d->gnu_hash[1];
        uint32_t bloom_size = d->gnu_hash[2];
        const uint32_t *buckets =
            (const uint32_t *)((const ElfW(Addr) *)&d->gnu_hash[4] + bloom_size);
        const uint32_t *chain = buckets + nbuckets;
        if (nbuckets == 0)
            return 0;
        uint32_t i = buckets[h % nbuckets];
        if (i < symoffset)
            return 0;
        for (;; i++) {
            uint32_t h2 = chain[i - symoffset];
            if ((h | 1) == (h2 | 1) && is_definition(d, i, name))
                return 1;
            if (h2 & 1)
                return 0;
        }
    }
    uint32_t h = 0;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        h = (h << 4) + *c;
        h ^= (h >> 24) & 0xf0;
        h &= 0x0fffffff;
    }
    uint32_t nbucket = d->sysv_hash[0];
    const uint32_t *bucket = &d->sysv_hash[2], *chain = bucket + nbucket;
    if (nbucket == 0)
        return 0;
    for (uint32_t i = bucket[h % nbucket]; i != STN_UNDEF; i = chain[i])
        if (is_definition(d, i, name))
            return 1;
    return 0;
}

/* ---- who serves malloc -------------------------------------------------- */

/* The dynamic linker binds the program's calls to the first object in its
 * global search order that defines the symbol: the executable, the
 * preloaded libraries, then the needed ones, breadth first - the order
 * dl_iterate_phdr walks. (dlsym(RTLD_DEFAULT) would do, except in a non-PIE
 * executable that takes malloc's address: it returns the executable's PLT
 * stub, which only looks like a definition.) */
struct scan {
    struct probe_report *report;
    ElfW(Addr) self_base; /* the probe's own load address */
    int found; /* bit i: served[i] is set */
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int scan_object(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct scan *s = arg;
    const char *name = info->dlpi_name;
    const char *base = base_name(name);
    struct dynsyms d;
    if (info->dlpi_addr == s->self_base || strncmp(base, "linux-vdso", 10) == 0 ||
        strncmp(base, "ld-linux", 8) == 0 || find_dynsyms(info, &d) < 0)
        return 0;
    /* The main program's name is ""; /proc/self/exe is exact. */
    const char *path = name[0] ? name : "/proc/self/exe";
    bool serves_malloc = false;
    for (int i = 0; i < PROBE_SYMBOLS; i++) {
        if ((s->found & (1 << i)) || !defines(&d, symbol_names[i]))
            continue;
        canonical(s->report->served[i], path);
        s->found |= 1 << i;
        serves_malloc |= i == PROBE_MALLOC;
    }
    /* The object serving malloc is not "another" allocator. */
    if (!serves_malloc && (s->found & (1 << PROBE_MALLOC)) &&
        !s->report->other_allocator[0] && strncmp(base, "libc.so", 7) != 0 &&
        defines(&d, "malloc"))
        canonical(s->report->other_allocator, path);
    return 0;
}

static void find_providers(struct probe_report *r)
{
    struct scan s = {.report = r};
    Dl_info self;
    if (dladdr((void *)find_providers, &self))
        s.self_base = (ElfW(Addr))self.dli_fbase;
    dl_iterate_phdr(scan_object, &s);
    for (int i = 0; i < PROBE_SYMBOLS; i++)
        if (!(s.found & (1 << i)))
            r->unresolved |= 1u << i;
}

__attribute__((constructor)) static void allocscope_probe(void)
{
    int fd = report_fd();
    if (fd < 0)
        return;
    static struct probe_report r; /* static: 2 KiB off the program's stack */
    memset(&r, 0, sizeof r);
    r.magic = PROBE_MAGIC;
    r.version = PROBE_VERSION;
    r.pid = getpid();
    r.ppid = getppid();
    r.brk = (uint64_t)(uintptr_t)sbrk(0);
    read_statm(&r);
    canonical(r.exe, "/proc/self/exe");
    find_providers(&r);
    ssize_t n;
    do
        n = write(fd, &r, sizeof r);
    while (n < 0 && errno == EINTR);
}
