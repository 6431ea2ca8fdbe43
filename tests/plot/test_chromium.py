#!/usr/bin/env python3
"""The report of a real run opens in headless Chromium from disk, with no
server and no network: no console errors, every image loads at its chart's
natural size, and a screenshot is taken (left in the test's folder).
Skips (exit 77) only when Chromium is not installed."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import DevTools  # noqa: E402
from plot_checks import Failures, png_size  # noqa: E402

exe, run, out = sys.argv[1:4]
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    print("SKIP: Chromium is not installed (Debian: apt-get install chromium); "
          "the report was not opened in a browser")
    sys.exit(77)

shutil.rmtree(out, ignore_errors=True)
t = Failures()
p = subprocess.run([exe, "plot", run, "-o", out, "-q"], capture_output=True, text=True)
if p.returncode != 0:
    sys.exit(f"allocscope plot failed: {p.stderr}")
report = os.path.abspath(os.path.join(out, "report.html"))

profile = tempfile.mkdtemp(prefix="chromium-profile-")
log = open(os.path.join(out, "chromium.log"), "w")
browser = subprocess.Popen(
    [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
     f"--user-data-dir={profile}", "--remote-debugging-port=0", "--remote-allow-origins=*",
     "--window-size=1400,1000", "about:blank"],
    stdout=log, stderr=log)
try:
    # Chromium writes the port it picked into the profile. Waiting is bounded
    # only so that a browser that never starts fails the test instead of
    # hanging it; nothing is timed.
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(1200):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        if browser.poll() is not None:
            sys.exit(f"chromium exited {browser.returncode}; see {log.name}")
        time.sleep(0.1)
    else:
        sys.exit(f"chromium did not start; see {log.name}")
    port = int(open(port_file).read().split()[0])
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
    page = next(x for x in targets if x["type"] == "page")
    dt = DevTools(page["webSocketDebuggerUrl"])
    for domain in ("Runtime", "Log", "Page", "Network"):
        dt.call(f"{domain}.enable")
    dt.call("Page.navigate", url="file://" + report)
    dt.wait_event("Page.loadEventFired")

    res = dt.call("Runtime.evaluate", returnByValue=True, expression="""
        JSON.stringify(Array.from(document.images).map(i => ({
            src: i.getAttribute('src'), complete: i.complete,
            w: i.naturalWidth, h: i.naturalHeight,
            aw: +i.getAttribute('width'), ah: +i.getAttribute('height')})))""")
    images = json.loads(res["result"]["value"])
    charts = [n for n in os.listdir(os.path.join(out, "plots")) if n.endswith(".svg")]
    t.check(len(images) == len(charts) and len(images) > 0, f"{len(images)} images for {len(charts)} charts")
    for im in images:
        t.check(im["complete"] and im["w"] > 0 and im["h"] > 0, f"image loads: {im}")
        t.check((im["w"], im["h"]) == (im["aw"], im["ah"]), f"natural size is the chart's size: {im}")

    res = dt.call("Runtime.evaluate", returnByValue=True,
                  expression="document.querySelectorAll('table.summary td.best').length")
    t.check(res["result"]["value"] > 0, "summary table with highlighted best values is rendered")

    metrics = dt.call("Page.getLayoutMetrics")
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = dt.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                   clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
    shot_path = os.path.join(out, "report-screenshot.png")
    with open(shot_path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    w, h = png_size(shot_path)
    t.check(w >= 800 and h > 1000, f"screenshot of the whole page: {w}x{h}")
    print("screenshot:", shot_path)

    errors = []
    for e in dt.events:
        m, prm = e["method"], e.get("params", {})
        if m == "Runtime.exceptionThrown":
            errors.append(prm["exceptionDetails"].get("text"))
        elif m == "Runtime.consoleAPICalled" and prm.get("type") in ("error", "assert"):
            errors.append(str(prm.get("args")))
        elif m == "Log.entryAdded" and prm["entry"]["level"] == "error":
            errors.append(prm["entry"].get("text"))
        elif m == "Network.requestWillBeSent":
            url = prm["request"]["url"]
            if not (url.startswith("file://") or url.startswith("data:") or url == "about:blank"):
                errors.append(f"network request: {url}")
        elif m == "Network.loadingFailed":
            errors.append(f"load failed: {prm.get('errorText')}")
    t.check(not errors, f"no console errors or network: {errors}")
    dt.ws.close()
finally:
    browser.terminate()
    try:
        browser.wait(timeout=30)
    except subprocess.TimeoutExpired:
        browser.kill()
        browser.wait()
    log.close()
    shutil.rmtree(profile, ignore_errors=True)
t.exit()
