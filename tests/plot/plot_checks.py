"""Checks shared by the plot tests: rendered files read back the way a
user's tools would read them (an XML parser, the PNG header, gnuplot)."""
import os
import re
import shutil
import struct
import subprocess
import tempfile
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class Failures:
    def __init__(self):
        self.items = []

    def check(self, cond, msg):
        if not cond:
            self.items.append(msg)
            print("FAIL:", msg, flush=True)
        return cond

    def exit(self):
        if self.items:
            raise SystemExit(f"{len(self.items)} check(s) failed")
        print("all checks passed")


def svg_series(path):
    """Parse an SVG (raises on malformed XML); returns (viewBox size, list of
    plot elements, each as (key text or '', first stroke/fill colour))."""
    root = ET.parse(path).getroot()
    box = [float(v) for v in root.get("viewBox").split()]
    series = []
    for g in root.iter(SVG_NS + "g"):
        if not re.fullmatch(r"gnuplot_plot_\d+[a-z]?", g.get("id") or ""):
            continue
        texts = ["".join(t.itertext()) for t in g.iter(SVG_NS + "text")]
        colour = ""
        for e in g.iter():
            for attr in ("stroke", "fill"):
                v = e.get(attr) or ""
                if v.startswith("rgb("):
                    colour = re.sub(r"\s", "", v)
                    break
            if colour:
                break
        series.append((texts[0] if texts else "", colour))
    return (box[2], box[3]), series


def svg_text(path):
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()) for t in root.iter(SVG_NS + "text")]


def png_size(path):
    """(width, height) from the IHDR chunk; raises on a bad header."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path}: not a PNG")
    return struct.unpack(">II", head[16:24])


def rerender_alone(gp_path, gnuplot="gnuplot"):
    """Copy one script into an empty folder and run plain `gnuplot FILE.gp`
    there, from another working directory. Returns (exit status, stderr,
    folder); the caller removes the folder."""
    d = tempfile.mkdtemp(prefix="gp-alone-")
    shutil.copy(gp_path, d)
    cwd = tempfile.mkdtemp(prefix="gp-cwd-")
    proc = subprocess.run([gnuplot, os.path.join(d, os.path.basename(gp_path))], cwd=cwd,
                          capture_output=True, text=True)
    left_in_cwd = os.listdir(cwd)
    shutil.rmtree(cwd)
    return proc.returncode, proc.stderr + "".join(f"\nwrote into cwd: {n}" for n in left_in_cwd), d


def files_under(top):
    out = set()
    for root, _, files in os.walk(top):
        for n in files:
            out.add(os.path.relpath(os.path.join(root, n), top))
    return out
