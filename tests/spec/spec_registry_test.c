/* spec_registry_test.c - registry_load on a good registry, the shipped
 * allocators/registry.yaml, and every registry/bad_NAME.yaml (whose first line
 * is "# expect: LINE:COL: substring"). */
#include <dirent.h>
#include <stdlib.h>

#include "registry.h"
#include "spec_test.h"

static void test_good(void)
{
    struct allocator_registry reg;
    struct spec_error err;
    if (registry_load(SPEC_TEST_DIR "/registry/good.yaml", &reg, &err) != 0) {
        fprintf(stderr, "good.yaml: %s\n", err.message);
        test_failures++;
        return;
    }
    CHECK_U(reg.count, 2);
    CHECK_S(reg.file, SPEC_TEST_DIR "/registry/good.yaml");
    const struct allocator_entry *sys = registry_find(&reg, "sys");
    const struct allocator_entry *custom = registry_find(&reg, "custom_1");
    CHECK(registry_find(&reg, "nope") == NULL);
    CHECK(sys == &reg.entries[0] && custom == &reg.entries[1]);
    if (sys && custom) {
        CHECK(sys->library == NULL && sys->description == NULL && sys->package == NULL);
        CHECK_U(sys->version_probe, VERSION_NONE);
        CHECK(sys->version_symbol == NULL);
        CHECK_U(sys->stats, STATS_NONE);
        CHECK_U(sys->pos.line, 3);
        CHECK_U(sys->pos.col, 5);
        CHECK(sys->pos.file == reg.file);
        CHECK_S(custom->description, "a test entry");
        CHECK_S(custom->library, "{exe_dir}/libcustom.so");
        CHECK_S(custom->serves_from, "libcustom-core.so");
        CHECK(custom->package == NULL);
        CHECK_U(custom->version_probe, VERSION_STRING_FUNCTION);
        CHECK_S(custom->version_symbol, "custom_version");
        CHECK_U(custom->stats, STATS_MIMALLOC);
        CHECK(!custom->available && custom->preload_path[0] == '\0');
        CHECK(sys->env_count == 0);
        CHECK_U(custom->env_count, 3);
        if (custom->env_count == 3) {
            CHECK_S(custom->env[0].name, "MALLOC_CONF");
            CHECK_S(custom->env[0].value, "narenas:1,background_thread:true");
            CHECK_U(custom->env[0].pos.line, 13);
            CHECK_U(custom->env[0].pos.col, 20);
            CHECK_S(custom->env[1].name, "GLIBC_TUNABLES");
            CHECK_S(custom->env[2].name, "MY_SETTING");
            CHECK_S(custom->env[2].value, "42"); /* a number is its text */
        }
    }
    registry_free(&reg);
    CHECK(reg.entries == NULL && reg.count == 0);
}

static void test_shipped(void)
{
    struct allocator_registry reg;
    struct spec_error err;
    if (registry_load(SPEC_SHIPPED_REGISTRY, &reg, &err) != 0) {
        fprintf(stderr, "shipped registry: %s\n", err.message);
        test_failures++;
        return;
    }
    static const struct {
        const char *name, *library, *package, *symbol;
        enum version_probe probe;
        enum stats_kind stats;
    } want[] = {
        {"glibc", NULL, "libc6", "gnu_get_libc_version", VERSION_GLIBC, STATS_GLIBC},
        {"jemalloc", "libjemalloc.so.2", "libjemalloc2", "version", VERSION_MALLCTL,
         STATS_JEMALLOC},
        {"mimalloc", "libmimalloc.so.2", "libmimalloc2.0", "mi_version", VERSION_INT_FUNCTION,
         STATS_MIMALLOC},
        {"tcmalloc", "libtcmalloc_minimal.so.4", "libtcmalloc-minimal4", NULL, VERSION_NONE,
         STATS_NONE},
        {"reference", "{exe_dir}/../lib/liballocscope_reference.so", NULL,
         "allocscope_reference_version", VERSION_STRING_FUNCTION, STATS_NONE},
    };
    CHECK_U(reg.count, 9);
    /* The huge-page variants (issue 13): their library and settings. */
    static const struct {
        const char *name, *base_library, *var, *value;
    } variants[] = {
        {"glibc-hugetlb", NULL, "GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"},
        {"jemalloc-thp", "libjemalloc.so.2", "MALLOC_CONF", "thp:always,metadata_thp:auto"},
        {"mimalloc-large", "libmimalloc.so.2", "MIMALLOC_LARGE_OS_PAGES", "1"},
        {"reference-nohuge", "{exe_dir}/../lib/liballocscope_reference.so",
         "ALLOCSCOPE_REF_HUGEPAGES", "0"},
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const struct allocator_entry *e = registry_find(&reg, variants[i].name);
        CHECK(e != NULL);
        if (!e)
            continue;
        if (variants[i].base_library)
            CHECK_S(e->library, variants[i].base_library);
        else
            CHECK(e->library == NULL);
        bool found = false;
        for (size_t k = 0; k < e->env_count; k++)
            if (strcmp(e->env[k].name, variants[i].var) == 0) {
                CHECK_S(e->env[k].value, variants[i].value);
                found = true;
            }
        CHECK(found);
    }
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct allocator_entry *e = registry_find(&reg, want[i].name);
        CHECK(e != NULL);
        if (!e)
            continue;
        if (want[i].library)
            CHECK_S(e->library, want[i].library);
        else
            CHECK(e->library == NULL);
        if (want[i].package)
            CHECK_S(e->package, want[i].package);
        else
            CHECK(e->package == NULL);
        if (want[i].symbol)
            CHECK_S(e->version_symbol, want[i].symbol);
        else
            CHECK(e->version_symbol == NULL);
        CHECK_U(e->version_probe, want[i].probe);
        CHECK_U(e->stats, want[i].stats);
        CHECK(e->description != NULL);
    }
    registry_free(&reg);
}

static void test_bad(const char *name)
{
    char path[1024], line[512];
    snprintf(path, sizeof path, "%s/registry/%s", SPEC_TEST_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(line, sizeof line, f) || strncmp(line, "# expect: ", 10) != 0) {
        fprintf(stderr, "%s: no '# expect:' first line\n", name);
        test_failures++;
        if (f)
            fclose(f);
        return;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    char *pos = line + 10, *sep = strstr(pos, ": ");
    if (!sep) {
        test_failures++;
        return;
    }
    *sep = '\0';
    const char *substring = sep + 2;
    char prefix[2048];
    snprintf(prefix, sizeof prefix, "%s:%s: ", path, pos);

    struct allocator_registry reg;
    struct spec_error err;
    int rc = registry_load(path, &reg, &err);
    CHECK(rc == -1);
    CHECK(reg.entries == NULL && reg.file == NULL);
    if (rc == -1 && (strncmp(err.message, prefix, strlen(prefix)) != 0 ||
                     !strstr(err.message, substring) || strchr(err.message, '\n'))) {
        fprintf(stderr, "%s:\n  got      %s\n  expected %s...%s\n", name, err.message, prefix,
                substring);
        test_failures++;
    }
}

int main(void)
{
    test_good();
    test_shipped();
    DIR *d = opendir(SPEC_TEST_DIR "/registry");
    int bad = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strncmp(e->d_name, "bad_", 4) == 0) {
            test_bad(e->d_name);
            bad++;
        }
    }
    if (d)
        closedir(d);
    CHECK(bad >= 5);
    struct allocator_registry reg;
    struct spec_error err;
    CHECK(registry_load(SPEC_TEST_DIR "/registry/missing.yaml", &reg, &err) == -1);
    CHECK(strstr(err.message, "missing.yaml:1:1: cannot read") != NULL);
    if (test_failures)
        fprintf(stderr, "%d check(s) failed\n", test_failures);
    return test_failures ? 1 : 0;
}
