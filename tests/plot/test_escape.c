/* test_escape.c - the escaping rules of render_escape.h, checked on the
 * strings that could hurt: quotes, backticks, $(...), markup, path
 * tricks, control characters and invalid UTF-8. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_escape.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static char *capture(void (*fn)(FILE *, const char *), const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(f, s);
    fclose(f);
    return buf;
}

static void gp(void)
{
    char *o = capture(render_gp_string, "it's `id` $(id) @macro");
    CHECK(strcmp(o, "'it''s `id` $(id) @macro'") == 0, "gnuplot single quotes: %s", o);
    free(o);
    o = capture(render_gp_string, "line\nbreak\rand\ttab");
    CHECK(strcmp(o, "'line break and tab'") == 0, "control characters become spaces: %s", o);
    free(o);
    o = capture(render_gp_string, "bad \xff\xfe utf8 \xc3\xa9");
    CHECK(strcmp(o, "'bad ?? utf8 \xc3\xa9'") == 0, "invalid UTF-8 replaced, valid kept: %s", o);
    free(o);
    o = capture(render_gp_string, "\xed\xa0\x80 \xc0\xaf");
    CHECK(strcmp(o, "'\?\?\? \?\?'") == 0, "surrogates and overlongs are invalid: %s", o);
    free(o);
    char longname[400];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    o = capture(render_gp_string, longname);
    CHECK(strlen(o) == RENDER_MAX_LABEL + 5 && strcmp(o + strlen(o) - 4, "...'") == 0,
          "long names are cut: %zu", strlen(o));
    free(o);
    /* A quote is doubled, so the literal never ends early; a quote right
     * after a quote becomes U+2019, because gnuplot 5.4 fails to parse two
     * doubled quotes in a row. */
    o = capture(render_gp_string, "a''''b");
    CHECK(strcmp(o, "'a''\xe2\x80\x99\xe2\x80\x99\xe2\x80\x99" "b'") == 0, "quotes escaped: %s",
          o);
    /* And gnuplot itself accepts what was written. */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "gnuplot -e \"set title %s\" 2>&1", o);
    FILE *g = popen(cmd, "r");
    CHECK(g != NULL, "popen gnuplot");
    if (g) {
        char line[256] = "";
        if (!fgets(line, sizeof line, g))
            line[0] = '\0';
        int rc = pclose(g);
        CHECK(rc == 0 && line[0] == '\0', "gnuplot parses the title (rc %d): %s", rc, line);
    }
    free(o);
}

static void html(void)
{
    char *o = capture(render_html, "<script>alert('x')</script> & \"q\"");
    CHECK(strcmp(o, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;") == 0,
          "markup escaped: %s", o);
    free(o);
    o = capture(render_html, "\xff ok \xe2\x82\xac");
    CHECK(strcmp(o, "\xef\xbf\xbd ok \xe2\x82\xac") == 0, "invalid UTF-8 -> U+FFFD: %s", o);
    free(o);
}

static void stems(void)
{
    char s[RENDER_STEM_MAX], t[RENDER_STEM_MAX];
    render_file_stem("churn-small", s, sizeof s);
    CHECK(strcmp(s, "churn-small") == 0, "a safe name is kept: %s", s);
    const char *bad[] = {"../../etc/passwd", "..", ".", "", "a/b", "x`id`", "$(id)", ".hidden",
                         "<script>", "a\nb"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        render_file_stem(bad[i], s, sizeof s);
        CHECK(s[0] != '.' && s[0] != '\0', "stem of '%s' starts safely: %s", bad[i], s);
        for (const char *p = s; *p; p++)
            CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p),
                  "stem of '%s' has only safe characters: %s", bad[i], s);
        CHECK(strstr(s, "..") == NULL || strchr(s, '/') == NULL, "no path in %s", s);
    }
    render_file_stem("a/b", s, sizeof s);
    render_file_stem("a_b", t, sizeof t);
    CHECK(strcmp(s, t) != 0, "names that sanitise alike get different stems: %s %s", s, t);
    render_file_stem("a:b", t, sizeof t);
    CHECK(strcmp(s, t) != 0, "different unsafe names, different stems: %s %s", s, t);
    char longname[300];
    memset(longname, 'y', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    render_file_stem(longname, s, sizeof s);
    CHECK(strlen(s) < RENDER_STEM_MAX, "stem is bounded: %zu", strlen(s));

    CHECK(render_path_component_ok("churn-small"), "plain name readable");
    CHECK(!render_path_component_ok(".."), "'..' not readable");
    CHECK(!render_path_component_ok("."), "'.' not readable");
    CHECK(!render_path_component_ok(""), "empty not readable");
    CHECK(!render_path_component_ok("../x"), "'/' not readable");
}

int main(void)
{
    gp();
    html();
    stems();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    puts("escaping: all checks passed");
    return 0;
}
