#!/usr/bin/env python3
"""Charts never take the report down: a chart with nothing to show is drawn
as an explicit "no data" panel, a suite too big for one image is split into
pages, and a chart gnuplot cannot draw leaves report.html written with what
did render (that chart's place says why) and a non-zero exit.

Cases: brk-textbook alone (too short for a latency sample), a run whose
every row failed, a 240-workload run (made from the real fixture's rows;
one chart of it would be wider than cairo can draw), and a chart whose
output path gnuplot cannot open."""
import csv
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_checks import Failures, svg_text  # noqa: E402

exe, fixture, src, work = sys.argv[1:5]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
t = Failures()


def run(*args):
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=600)
    print(p.stdout, p.stderr)
    return p


def text_of(svg):
    try:
        return " ".join(svg_text(svg))
    except (OSError, ET.ParseError):
        return ""


def images_ok(plots, stem):
    """Both images exist and the SVG parses."""
    svg, png = os.path.join(plots, stem + ".svg"), os.path.join(plots, stem + ".png")
    if not (os.path.isfile(svg) and os.path.isfile(png)):
        return False
    try:
        ET.parse(svg)
    except ET.ParseError:
        return False
    return open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


# 1. brk-textbook alone: no latency sample at all.
out = os.path.join(work, "brk")
p = run("run", "-r", "1", "-a", "glibc,jemalloc", "-o", out, os.path.join(src, "workloads", "brk-textbook.yaml"))
t.check(p.returncode == 0, f"brk-textbook run exits 0 (got {p.returncode})")
t.check(os.path.isfile(os.path.join(out, "report.html")), "brk-textbook: report.html written")
plots = os.path.join(out, "plots")
t.check(images_ok(plots, "suite.latency"), "brk-textbook: the latency chart is drawn")
t.check(os.path.isfile(os.path.join(plots, "suite.latency.svg")) and
        "no data" in text_of(os.path.join(plots, "suite.latency.svg")),
        "brk-textbook: the latency chart says 'no data'")

# 2. Every row failed: a registry whose only allocator fails verification.
reg = os.path.join(work, "registry.yaml")
open(reg, "w").write("allocators:\n  - name: fake\n    library: libyaml-0.so.2\n")
out = os.path.join(work, "failed")
p = run("run", "--registry", reg, "-a", "fake", "-r", "1", "--quick", "-o", out,
        os.path.join(src, "workloads", "churn-small.yaml"))
t.check(p.returncode == 3, f"all-failed run exits 3 (got {p.returncode})")
t.check(os.path.isfile(os.path.join(out, "report.html")), "all failed: report.html written")
for stem in ["suite.throughput", "suite.peak_heap", "suite.frag", "suite.latency"]:
    svg = os.path.join(out, "plots", stem + ".svg")
    t.check(images_ok(os.path.join(out, "plots"), stem) and "no run succeeded" in text_of(svg),
            f"all failed: {stem} says no run succeeded")
report = open(os.path.join(out, "report.html")).read() if os.path.isfile(os.path.join(out, "report.html")) else ""
t.check("No overview" in report, "all failed: the report says why there is no overview")

# 3. 240 workloads: the fixture's rows copied under 240 names (no samples,
# so only the suite charts are drawn), plotted page by page. With four
# allocators one throughput chart of all of them would be 34,820 px wide:
# more than cairo's 32,767.
big = os.path.join(work, "big")
os.makedirs(big)
meta = json.load(open(os.path.join(fixture, "run.json")))
with open(os.path.join(fixture, "summary.csv"), newline="") as f:
    reader = csv.DictReader(f)
    header, rows = reader.fieldnames, list(reader)
first = rows[0]["workload"]
template = [r for r in rows if r["workload"] == first]
wl = next(w for w in meta["workloads"] if w["name"] == first)
meta["workloads"] = []
with open(os.path.join(big, "summary.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
    w.writeheader()
    for i in range(240):
        name = f"w{i:03d}"
        meta["workloads"].append(dict(wl, name=name))
        for r in template:
            w.writerow(dict(r, workload=name))
json.dump(meta, open(os.path.join(big, "run.json"), "w"))
p = run("plot", "-q", big)
t.check(p.returncode == 0, f"240 workloads: plot exits 0 (got {p.returncode}): {p.stderr[-300:]}")
bp = os.path.join(big, "plots")
pages = 6  # 40 workloads a page
for kind in ["overview", "throughput", "peak_heap", "frag", "latency"]:
    for page in range(1, pages + 1):
        stem = f"suite.{kind}" + ("" if page == 1 else f".p{page}")
        t.check(images_ok(bp, stem), f"240 workloads: {stem} drawn")
t.check(not os.path.exists(os.path.join(bp, f"suite.throughput.p{pages + 1}.gp")), "no page beyond the sixth")
svg = os.path.join(bp, "suite.throughput.p2.svg")
t.check(os.path.isfile(svg) and "workloads 41-80 of 240" in text_of(svg), "page 2 says which workloads")

# 4. gnuplot cannot open one chart's output: report.html still written,
# that chart's place says why, exit 4.
out = os.path.join(work, "broken")
os.makedirs(os.path.join(out, "plots", "suite.throughput.svg"))
p = run("plot", fixture, "-o", out)
t.check(p.returncode == 4, f"a chart that fails: plot exits 4 (got {p.returncode})")
t.check("could not be drawn" in p.stderr and "suite.throughput" in p.stderr, "stderr names the chart")
html = os.path.join(out, "report.html")
t.check(os.path.isfile(html), "report.html written anyway")
if os.path.isfile(html):
    text = open(html).read()
    t.check("Chart not drawn: suite: throughput" in text, "the chart's place says it was not drawn")
    t.check('src="plots/suite.peak_heap.svg"' in text and images_ok(os.path.join(out, "plots"), "suite.peak_heap"),
            "the other charts are drawn and shown")
t.exit()
