#!/usr/bin/env python3
"""A malicious results folder handed to `allocscope plot`: a copy of a real
run whose workload, allocator, phase names and descriptions were rewritten
to text with quotes, backticks, $(...), markup and ../. Rendering runs no
command, writes only inside the run directory under safe file names, and
the SVGs and the report show the text literally."""
import csv
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_checks import SAFE_NAME, Failures, files_under, rerender_alone, svg_text  # noqa: E402

exe, real_run, out = sys.argv[1:4]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
t = Failures()
sentinel = os.path.join(out, "cwd")  # gnuplot's working directory
os.makedirs(sentinel)
run = os.path.join(out, "run")
shutil.copytree(real_run, run)
for stale in ("plots", "report.html"):
    shutil.rmtree(os.path.join(run, stale), ignore_errors=True)
    if os.path.isfile(os.path.join(run, stale)):
        os.remove(os.path.join(run, stale))

# Every command the names try to run would create a PWNED file in the cwd.
H1 = 'it\'s "q" `touch PWNED1` $(touch PWNED2) <script>alert(1)</script> ../../escape'
H2 = "w2 `touch PWNED3` $(touch PWNED4) <img src=x onerror=alert(1)> ' \" & EOD @x"
HA = "ref<i>`touch PWNED5`$(touch PWNED6)'"
HP = "grow`touch PWNED7`$(touch PWNED8)' <b>"
HD = "desc <script>alert('d')</script> `touch PWNED9` $(touch PWNED10)\nsecond line & more"

meta = json.load(open(os.path.join(run, "run.json")))
w1, w2 = meta["workloads"][0]["name"], meta["workloads"][1]["name"]
rename_w = {w1: H1, w2: H2}
rename_a = {"reference": HA}
for w in meta["workloads"]:
    w["name"] = rename_w[w["name"]]
    w["description"] = HD
    w["phases"] = [HP] + w["phases"][1:]
for a in meta["allocators"]:
    a["name"] = rename_a.get(a["name"], a["name"])
json.dump(meta, open(os.path.join(run, "run.json"), "w"))

rows = list(csv.reader(open(os.path.join(run, "summary.csv"), newline="")))
hdr = rows[0]
iw, ia = hdr.index("workload"), hdr.index("allocator")
for r in rows[1:]:
    r[iw] = rename_w[r[iw]]
    r[ia] = rename_a.get(r[ia], r[ia])
with open(os.path.join(run, "summary.csv"), "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(rows)
# H2 has no '/', so its samples can be read under its hostile name; H1's
# cannot (and must not be looked for outside samples/).
os.rename(os.path.join(run, "samples", w2), os.path.join(run, "samples", H2))
for n in os.listdir(os.path.join(run, "samples", H2)):
    if n.startswith("reference-"):
        os.rename(os.path.join(run, "samples", H2, n), os.path.join(run, "samples", H2, HA + n[len("reference"):]))

before = files_under(out)
p = subprocess.run([exe, "plot", run], cwd=sentinel, capture_output=True, text=True)
print(p.stdout, p.stderr)
t.check(p.returncode == 0, f"plot exit status {p.returncode}")
t.check(p.stderr == "", "no warnings")

pwned = [os.path.join(r, n) for r, _, fs in os.walk(out) for n in fs if n.startswith("PWNED")]
t.check(not pwned and not os.listdir(sentinel), f"no command ran: {pwned} {os.listdir(sentinel)}")
new = files_under(out) - before
outside = [n for n in new if not (n == "run/report.html" or n.startswith("run/plots/"))]
t.check(not outside, f"files only inside the run directory: {outside}")
t.check(not os.path.exists(os.path.join(os.path.dirname(out), "escape")), "no ../ escape")
plots = os.path.join(run, "plots")
names = os.listdir(plots)
t.check(len(names) >= 3 * 9, f"charts written: {len(names)}")
for n in names:
    t.check(SAFE_NAME.match(n) and not n.startswith("."), f"safe file name: {n!r}")

texts = {}
for n in names:
    if n.endswith(".svg"):
        try:
            texts[n] = svg_text(os.path.join(plots, n))
        except Exception as e:
            t.check(False, f"{n}: malformed SVG: {e}")
alltext = "\n".join(x for v in texts.values() for x in v)
t.check("`touch PWNED3` $(touch PWNED4) <img src=x" in alltext, "SVG shows the workload name literally")
t.check(HA in alltext, "SVG shows the allocator name literally")
t.check(HP in alltext, "SVG shows the phase name literally")
t.check("it's \"q\" `touch PWNED1`" in alltext, "SVG axis shows the unreadable workload's name literally")
ts = [n for n in names if n.endswith(".heap.svg")]
t.check(len(ts) == 1, f"time series only for the workload whose samples are readable: {ts}")


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.tags, self.attrs, self.imgs = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [k for k, _ in attrs]
        if tag == "img":
            self.imgs.append(dict(attrs)["src"])

    def handle_data(self, data):
        self.text.append(data)


page = Page()
page.feed(open(os.path.join(run, "report.html"), encoding="utf-8").read())
text = "".join(page.text)
t.check(H1 in text and H2 in text, "report shows the workload names literally")
t.check(HA in text and HD in text and HP in text, "report shows allocator, description and phase literally")
t.check("script" not in page.tags and "i" not in page.tags and "b" not in page.tags,
        f"no markup from names became elements: {set(page.tags)}")
t.check("onerror" not in page.attrs, "no attribute from names")
t.check(all(re.fullmatch(r"plots/[A-Za-z0-9._-]+\.svg", s) for s in page.imgs), f"images are ours: {page.imgs}")
t.check(len(page.imgs) == len([n for n in names if n.endswith(".svg")]), "every chart in the report")

for n in names:
    if n.endswith(".gp"):
        rc, err, d = rerender_alone(os.path.join(plots, n))
        t.check(rc == 0 and err == "", f"{n} alone: exit {rc}: {err}")
        leaked = [x for x in os.listdir(d) if x.startswith("PWNED")]
        t.check(not leaked, f"{n} alone ran no command: {leaked}")
        shutil.rmtree(d)
t.exit()
