/* plot_units.c - human units and axis tics (see plot_units.h). */
#include "plot_units.h"

#include <math.h>
#include <string.h>

struct unit_step {
    double scale;
    const char *suffix;
};

static const struct unit_step bytes_units[] = {
    {1, " B"}, {1024.0, " KiB"}, {1048576.0, " MiB"}, {1073741824.0, " GiB"}, {1099511627776.0, " TiB"}};
static const struct unit_step ns_units[] = {{1, " ns"}, {1e3, " µs"}, {1e6, " ms"}, {1e9, " s"}};
static const struct unit_step si_units[] = {{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"}};

static const struct unit_step *unit_table(enum plot_unit u, size_t *n)
{
    switch (u) {
    case PU_BYTES:
        *n = sizeof bytes_units / sizeof bytes_units[0];
        return bytes_units;
    case PU_NS:
        *n = sizeof ns_units / sizeof ns_units[0];
        return ns_units;
    case PU_COUNT:
    case PU_RATE:
        *n = sizeof si_units / sizeof si_units[0];
        return si_units;
    case PU_RATIO:
    case PU_SECONDS:
        break;
    }
    *n = 1;
    return si_units;
}

/* The largest unit not above |v| (the smallest for 0). */
static const struct unit_step *unit_for(enum plot_unit u, double v)
{
    size_t n;
    const struct unit_step *t = unit_table(u, &n);
    const struct unit_step *best = &t[0];
    for (size_t i = 0; i < n; i++)
        if (fabs(v) >= t[i].scale)
            best = &t[i];
    return best;
}

void plot_fmt(enum plot_unit u, double v, char *buf, size_t n)
{
    if (u == PU_RATIO) {
        snprintf(buf, n, "%.2f×", v);
        return;
    }
    if (u == PU_SECONDS) {
        snprintf(buf, n, "%.3g s", v);
        return;
    }
    const struct unit_step *s = unit_for(u, v);
    double x = v / s->scale;
    int prec = fabs(x) >= 100 || s->scale == 1 ? 0 : fabs(x) >= 10 ? 1 : 2;
    if (u == PU_COUNT && s->scale == 1)
        prec = 0;
    snprintf(buf, n, "%.*f%s%s", prec, x, s->suffix, u == PU_RATE ? " ops/s" : "");
}

bool plot_wants_log(double lo, double hi)
{
    return lo > 0 && hi / lo >= 50;
}

/* Tic label of v on an axis whose labels are in unit `s`. */
static void tic_label(enum plot_unit u, const struct unit_step *s, double v, char *buf, size_t n)
{
    if (u == PU_RATIO || u == PU_SECONDS) {
        snprintf(buf, n, u == PU_SECONDS && v != 0 ? "%g s" : "%g", v);
        return;
    }
    double x = v / s->scale;
    if (fabs(x) < 1e-9)
        x = 0;
    snprintf(buf, n, "%g%s", x, v == 0 ? "" : s->suffix);
}

static void write_tic(FILE *f, bool first, const char *label, double v)
{
    fprintf(f, "%s'%s' %.17g", first ? "" : ", ", label, v);
}

static void linear_axis(FILE *f, const char *axis, enum plot_unit u, double lo, double hi,
                        bool from_zero)
{
    if (from_zero && lo > 0)
        lo = 0;
    double span = hi - lo;
    if (!(span > 0))
        span = fabs(hi) > 0 ? fabs(hi) : 1;
    double step;
    if (u == PU_BYTES) {
        step = 1;
        while (span / step > 7)
            step *= 2;
        while (step > 1 && span / step < 3)
            step /= 2;
    } else {
        double mag = pow(10, floor(log10(span)));
        static const double mult[] = {0.1, 0.2, 0.5, 1, 2, 5, 10};
        step = mag * 10;
        for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++)
            if (span / (mag * mult[i]) <= 7) {
                step = mag * mult[i];
                break;
            }
        if (u != PU_RATIO && u != PU_SECONDS && step < 1)
            step = 1;
    }
    double a = floor(lo / step) * step, b = ceil(hi / step) * step;
    if (b <= a)
        b = a + step;
    double eps = (b - a) * 1e-9;
    fprintf(f, "  set %srange [%.17g:%.17g]\n  unset logscale %s\n  set %stics (", axis, a - eps,
            b + eps, axis, axis);
    double big = fabs(a) > fabs(b) ? a : b;
    /* Counts below 10k read better as plain numbers than as 0.2k. */
    const struct unit_step *s =
        (u == PU_COUNT || u == PU_RATE) && fabs(big) < 1e4 ? unit_for(u, 1) : unit_for(u, big);
    long count = lround((b - a) / step);
    for (long k = 0; k <= count; k++) {
        double v = a + (double)k * step;
        if (fabs(v) < step / 1e6)
            v = 0;
        char label[48];
        tic_label(u, s, v, label, sizeof label);
        write_tic(f, k == 0, label, v);
    }
    fprintf(f, ")\n  set m%stics default\n", axis);
}

static void log_axis(FILE *f, const char *axis, enum plot_unit u, double lo, double hi)
{
    bool first = true;
    if (u == PU_BYTES) {
        int e0 = (int)floor(log2(lo)), e1 = (int)ceil(log2(hi));
        if (e1 <= e0)
            e1 = e0 + 1;
        int stride = (e1 - e0 + 7) / 8;
        e0 -= ((e0 % stride) + stride) % stride;
        if ((e1 - e0) % stride)
            e1 += stride - (e1 - e0) % stride;
        fprintf(f, "  set %srange [%.17g:%.17g]\n  set logscale %s 2\n  set %stics (", axis,
                ldexp(1, e0), ldexp(1, e1), axis, axis);
        for (int e = e0; e <= e1; e += stride) {
            char label[48];
            double v = ldexp(1, e);
            tic_label(u, unit_for(u, v), v, label, sizeof label);
            write_tic(f, first, label, v);
            first = false;
        }
        fprintf(f, ")\n  unset m%stics\n", axis);
        return;
    }
    int d0 = (int)floor(log10(lo)), d1 = (int)ceil(log10(hi));
    if (d1 <= d0)
        d1 = d0 + 1;
    bool fine = d1 - d0 <= 2;
    /* Widened by a hair: gnuplot drops a tic that rounding puts just
     * outside a log range. */
    fprintf(f, "  set %srange [%.17g:%.17g]\n  set logscale %s 10\n  set %stics (", axis,
            pow(10, d0) * (1 - 1e-9), pow(10, d1) * (1 + 1e-9), axis, axis);
    for (int d = d0; d <= d1; d++) {
        static const double mult[] = {1, 2, 5};
        for (size_t i = 0; i < (fine ? 3u : 1u) && !(d == d1 && i > 0); i++) {
            char label[48];
            double v = mult[i] * pow(10, d);
            tic_label(u, unit_for(u, v), v, label, sizeof label);
            write_tic(f, first, label, v);
            first = false;
        }
    }
    fprintf(f, ")\n  set m%stics default\n", axis);
}

void plot_axis(FILE *f, const char *axis, enum plot_unit u, double lo, double hi, bool log,
               bool from_zero)
{
    if (log && lo > 0 && hi >= lo)
        log_axis(f, axis, u, lo, hi);
    else
        linear_axis(f, axis, u, lo, hi, from_zero);
}
