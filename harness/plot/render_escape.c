/* render_escape.c - escaping for gnuplot, HTML and file names (see
 * render_escape.h for the rules and why). */
#include "render_escape.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence starting at s (1..4), or 0 when the
 * bytes there are not valid UTF-8 (overlongs and surrogates included). */
static size_t utf8_seq_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void render_gp_string(FILE *f, const char *s)
{
    render_gp_string_max(f, s, RENDER_MAX_LABEL);
}

void render_gp_string_max(FILE *f, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t written = 0;
    fputc('\'', f);
    while (*p) {
        size_t n = utf8_seq_len(p);
        if (written + (n ? n : 1) > max) {
            fputs("...", f);
            break;
        }
        if (n == 0) {
            fputc('?', f);
            p++;
            written++;
            continue;
        }
        if (n == 1) {
            /* Doubling is the only escape single quotes know, but gnuplot
             * 5.4 cannot parse two doubled quotes in a row (a title of a,
             * four quotes, b is a syntax error): a quote that follows a
             * quote is drawn as U+2019 instead. */
            if (*p == '\'' && p > (const unsigned char *)s && p[-1] == '\'')
                fputs("\xe2\x80\x99", f);
            else if (*p == '\'')
                fputs("''", f);
            else if (*p < 0x20 || *p == 0x7f)
                fputc(' ', f);
            else
                fputc(*p, f);
        } else {
            fwrite(p, 1, n, f);
        }
        p += n;
        written += n;
    }
    fputc('\'', f);
}

void render_html(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t n = utf8_seq_len(p);
        if (n == 0) {
            fputs("\xef\xbf\xbd", f); /* U+FFFD */
            p++;
            continue;
        }
        if (n > 1) {
            fwrite(p, 1, n, f);
            p += n;
            continue;
        }
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
                fputc(' ', f);
            else
                fputc(*p, f);
        }
        p++;
    }
}

static bool stem_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.';
}

void render_file_stem(const char *name, char *out, size_t outlen)
{
    enum { KEEP = RENDER_STEM_MAX - 10 }; /* room for "-xxxxxxxx" and NUL */
    size_t len = strlen(name);
    bool safe = len > 0 && len < (size_t)KEEP && name[0] != '.';
    for (size_t i = 0; safe && i < len; i++)
        safe = stem_char_ok(name[i]);
    if (safe) {
        snprintf(out, outlen, "%s", name);
        return;
    }
    /* FNV-1a over the original bytes: different names, different stems. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 16777619u;
    char base[KEEP + 1];
    size_t n = 0;
    for (size_t i = 0; i < len && n < (size_t)KEEP; i++) {
        char c = name[i];
        if (n == 0 && c == '.')
            continue;
        base[n++] = stem_char_ok(c) ? c : '_';
    }
    base[n] = '\0';
    snprintf(out, outlen, "%s-%08x", n ? base : "name", (unsigned)h);
}

bool render_path_component_ok(const char *name)
{
    return name[0] != '\0' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
           strchr(name, '/') == NULL;
}
