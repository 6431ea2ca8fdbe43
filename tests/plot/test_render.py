#!/usr/bin/env python3
"""`allocscope plot` on a real run: every expected file; SVGs are well-formed
XML with the expected series, in the fixed allocator order and colours;
PNGs have a valid header and the SVG's size; every .gp re-renders on its
own with plain gnuplot, silently, to the same SVG; the report links every
chart and nothing outside the folder; the command keeps its contract."""
import html.parser
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_checks import (Failures, files_under, png_size, rerender_alone, svg_series,  # noqa: E402
                         svg_text)

exe, run, out = sys.argv[1:4]
shutil.rmtree(out, ignore_errors=True)
t = Failures()

# --- the command's contract ---
p = subprocess.run([exe, "plot", "--help"], capture_output=True, text=True)
t.check(p.returncode == 0 and "usage: allocscope plot" in p.stdout, "plot --help: exit 0, usage on stdout")
for args, what in [([], "no RUN_DIR"), (["/nonexistent/run"], "missing dir"),
                   ([os.path.dirname(out)], "dir without run.json"), ([run, run], "two dirs")]:
    p = subprocess.run([exe, "plot"] + args, capture_output=True, text=True)
    t.check(p.returncode == 2 and p.stderr, f"plot with {what}: exit 2 with a message, got {p.returncode}")

before = files_under(run)
p = subprocess.run([exe, "plot", run, "-o", out], capture_output=True, text=True)
print(p.stdout, p.stderr)
t.check(p.returncode == 0, f"plot exit status {p.returncode}")
t.check(p.stderr == "", "no gnuplot warnings")
t.check(files_under(run) == before, "-o DIR leaves the run directory untouched")

meta = json.load(open(os.path.join(run, "run.json")))
allocs = [a["name"] for a in meta["allocators"]]
order = [a for a in ["glibc", "jemalloc", "mimalloc", "reference"] if a in allocs]
t.check(order == ["glibc", "jemalloc", "mimalloc", "reference"], f"fixture has all four allocators: {allocs}")
workloads = [w["name"] for w in meta["workloads"]]
plots = os.path.join(out, "plots")
stems = ["suite." + k for k in ["overview", "throughput", "peak_heap", "frag", "latency"]]
stems += [f"{w}.{k}" for w in workloads for k in ["heap", "brk", "frag", "paging"]]
for s in stems:
    for ext in ["gp", "svg", "png"]:
        t.check(os.path.isfile(os.path.join(plots, f"{s}.{ext}")), f"{s}.{ext} written")
t.check(os.path.isfile(os.path.join(out, "report.html")), "report.html written")
t.check(sorted(os.listdir(plots)) == sorted(f"{s}.{e}" for s in stems for e in ["gp", "svg", "png"]),
        f"nothing else in plots/: {sorted(os.listdir(plots))}")

# --- SVG structure, PNG header, sizes ---
series = {}
for s in stems:
    svg, png = os.path.join(plots, s + ".svg"), os.path.join(plots, s + ".png")
    try:
        size, series[s] = svg_series(svg)
    except Exception as e:  # malformed XML
        t.check(False, f"{s}.svg: {e}")
        continue
    try:
        t.check(png_size(png) == tuple(int(v) for v in size), f"{s}: PNG size {png_size(png)} = SVG {size}")
        t.check(os.path.getsize(png) > 5000, f"{s}.png has content")
    except ValueError as e:
        t.check(False, str(e))


def keys(s):
    return [k for k, _ in series.get(s, []) if k]


colours = {}
for w in workloads:
    heap = keys(f"{w}.heap")
    t.check([k.split()[0] for k in heap] == order + ["live"], f"{w}.heap series {heap}")
    t.check(len(series[f"{w}.heap"]) == len(order) + 1, f"{w}.heap: one line per allocator + live")
    brk = keys(f"{w}.brk")
    t.check([k.split()[0] for k in brk] == order, f"{w}.brk series {brk}")
    for k in brk:
        name = k.split()[0]
        if name in ("jemalloc", "mimalloc"):
            t.check("never moves" in k, f"{w}.brk: {name} is mmap-based, its break never moves: {k}")
        if name == "glibc":
            t.check("peak +" in k, f"{w}.brk: glibc grows through brk: {k}")
    frag = keys(f"{w}.frag")
    t.check([k.split()[0] for k in frag] == order + ["heap"], f"{w}.frag series {frag}")
    paging_text = svg_text(os.path.join(plots, f"{w}.paging.svg"))
    dtlb = meta["perf"].get("dtlb_load_misses", {})
    if not dtlb.get("supported"):
        t.check(any("not supported on this machine (no hardware PMU)" in x for x in paging_text),
                f"{w}.paging says TLB misses are unsupported")
        t.check(any(dtlb.get("reason", "?") in x for x in paging_text), f"{w}.paging gives run.json's reason")
        # One line per allocator above; below, the message panel's empty plot.
        t.check([k for k, _ in series[f"{w}.paging"]][:len(order)] == order and
                len(series[f"{w}.paging"]) == len(order) + 1, f"{w}.paging: fault lines only, no TLB zeros")
    else:
        t.check(len(series[f"{w}.paging"]) == 2 * len(order), f"{w}.paging: faults and TLB lines")
    for s in [f"{w}.heap", f"{w}.brk", f"{w}.frag", f"{w}.paging"]:
        for k, c in series[s]:
            if k and k.split()[0] in order:
                colours.setdefault(k.split()[0], set()).add(c)
for k, c in series["suite.throughput"]:
    if k in order:
        colours.setdefault(k, set()).add(c)
for a in order:
    t.check(len(colours.get(a, ())) == 1, f"{a}: one colour in every chart, got {colours.get(a)}")
t.check(len(set().union(*colours.values())) == len(order), "allocators have distinct colours")
t.check(keys("suite.throughput")[:len(order)] == order, f"throughput key order {keys('suite.throughput')}")
t.check(keys("suite.peak_heap")[:len(order) + 1] == order + ["peak live bytes"], "peak heap bars + live marks")
t.check(len(series["suite.latency"]) == 4 * len(order) + 4, f"latency: 4 percentiles x allocators + key")
t.check(len(series["suite.overview"]) == 12, "overview: 3 panels x (cells, labels, missing, labels)")
t.check(any("relative to glibc" in x for x in svg_text(os.path.join(plots, "suite.overview.svg"))),
        "overview is relative to glibc")
axis = svg_text(os.path.join(plots, f"{workloads[0]}.heap.svg"))
t.check(any(x.endswith("KiB") or x.endswith("MiB") for x in axis), "heap axis in KiB/MiB")
lat = svg_text(os.path.join(plots, "suite.latency.svg"))
t.check(any(x.endswith(" ns") for x in lat) and any(x.endswith(" µs") for x in lat), "latency axis in ns/µs")

# --- every script re-renders alone ---
for s in stems:
    rc, err, d = rerender_alone(os.path.join(plots, s + ".gp"))
    t.check(rc == 0 and err == "", f"{s}.gp alone: exit {rc}, stderr {err!r}")
    t.check(os.path.isfile(os.path.join(d, s + ".png")), f"{s}.gp alone writes its PNG beside itself")
    if os.path.isfile(os.path.join(d, s + ".svg")):
        t.check(open(os.path.join(d, s + ".svg"), "rb").read() == open(os.path.join(plots, s + ".svg"), "rb").read(),
                f"{s}.gp alone draws the same SVG")
    else:
        t.check(False, f"{s}.gp alone writes its SVG beside itself")
    shutil.rmtree(d)


# --- the report ---
class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.links, self.tags, self.best = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "img":
            self.imgs.append(a.get("src"))
        for k in ("href", "src"):
            if a.get(k):
                self.links.append(a[k])
        if "best" in (a.get("class") or "").split():
            self.best += 1


text = open(os.path.join(out, "report.html"), encoding="utf-8").read()
page = Page()
page.feed(text)
t.check(sorted(page.imgs) == sorted(f"plots/{s}.svg" for s in stems), f"report shows every chart: {page.imgs}")
for link in page.links:
    if link.startswith("#"):
        continue
    t.check("://" not in link and not link.startswith("/"), f"report link stays local: {link}")
    t.check(os.path.isfile(os.path.join(out, link)), f"report link resolves: {link}")
t.check("script" not in page.tags and "link" not in page.tags, "report has no scripts or external stylesheets")
t.check(meta["host"]["kernel"] in text, "report shows the kernel")
for a in meta["allocators"]:
    if a.get("version"):
        t.check(a["version"] in text, f"report shows {a['name']}'s version")
t.check(4 * len(workloads) <= page.best < 4 * len(workloads) * len(order),
        f"a best cell (or tied cells) per workload and metric: {page.best}")
t.exit()
