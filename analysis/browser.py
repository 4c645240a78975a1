"""A report opened in a real headless browser: Debian's chromium through chromedriver and
python3-selenium. Used by the browser test (analysis/tests/test_browser.py) and for the
screenshots of the docs (`python3 -m analysis.browser REPORT.html -o DIR`, tools/make_docs_img.sh).

The browser runs with a proxy at an unused loopback port, so a request to the network fails
instead of leaving the machine, and it logs the console and every request (the DevTools
performance log) for the caller to check. Selenium Manager is never asked for a driver: the
chromedriver's path is given explicitly.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import sys
import time
from pathlib import Path

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMEDRIVER = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")


class BrowserUnavailable(RuntimeError):
    """No chromium, chromedriver or selenium on this machine."""


def _first(paths, env: str) -> str:
    p = os.environ.get(env)
    if p:
        return p
    for c in paths:
        if os.path.exists(c):
            return c
    found = shutil.which(Path(paths[0]).name)
    if found:
        return found
    raise BrowserUnavailable(f"none of {', '.join(paths)} exists (install chromium and "
                             f"chromium-driver: tools/install-deps.sh, or set {env})")


def unused_port() -> int:
    """A loopback TCP port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900):
    """A headless chromium (selenium WebDriver) whose console and network requests are
    logged, behind a proxy that refuses everything."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        raise BrowserUnavailable(f"python3-selenium is missing: {e}") from e
    opts = webdriver.ChromeOptions()
    opts.binary_location = _first(CHROMIUM, "MSS_CHROMIUM")
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--hide-scrollbars", "--force-device-scale-factor=1",
              f"--window-size={width},{height}",
              f"--proxy-server=http://127.0.0.1:{unused_port()}", "--proxy-bypass-list=<-loopback>",
              "--disable-background-networking", "--disable-component-update",
              "--disable-domain-reliability", "--no-first-run", "--no-default-browser-check",
              "--disable-sync", "--metrics-recording-only", "--disable-extensions"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path=_first(CHROMEDRIVER, "MSS_CHROMEDRIVER"))
    driver = webdriver.Chrome(service=service, options=opts)
    try:
        yield driver
    finally:
        driver.quit()


RENDERED_JS = """
var plots = document.querySelectorAll('div.plot');
var done = 0;
plots.forEach(function (p) { if (p.classList.contains('js-plotly-plot') &&
                                  p.querySelector('svg.main-svg')) { done += 1; } });
return [plots.length, done];
"""


def open_report(driver, path: str | Path, timeout: float = 60.0) -> tuple[int, float]:
    """Opens `path` from disk and waits until plotly has drawn every figure; returns (figures,
    seconds). TimeoutError when they are not all drawn within `timeout`."""
    url = Path(path).resolve().as_uri()
    t0 = time.monotonic()
    driver.get(url)
    while True:
        n, done = driver.execute_script(RENDERED_JS)
        if n and done == n:
            return n, time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(f"{path}: {done} of {n} figures drawn after {timeout:g} s")
        time.sleep(0.1)


def requests(driver) -> list[str]:
    """The URLs the page asked for so far (DevTools Network.requestWillBeSent)."""
    out = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            out.append(msg["params"]["request"]["url"])
    return out


def figure_sizes(driver) -> dict[str, tuple[float, float]]:
    """Figure id -> (width, height) in CSS pixels of its drawn plot."""
    return {k: tuple(v) for k, v in driver.execute_script("""
        var out = {};
        document.querySelectorAll('div.plot').forEach(function (p) {
          var svg = p.querySelector('svg.main-svg');
          var r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
          out[p.dataset.figure] = [r.width, r.height];
        });
        return out;""").items()}


def screenshot(driver, figure_id: str, path: str | Path, caption: bool = False) -> Path:
    """A PNG of one figure of the open page (with its caption when `caption`)."""
    from selenium.webdriver.common.by import By
    sel = f"#figure-{figure_id}" if caption else f"#fig-{figure_id}"
    el = driver.find_element(By.CSS_SELECTOR, sel)
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", el)
    time.sleep(0.2)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    el.screenshot(str(path))
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m analysis.browser",
                                 description="Screenshots of the figures of report pages, "
                                 "taken by headless chromium (one browser for all pages).")
    ap.add_argument("html", nargs="+", metavar="PAGE[::FIG,FIG...]",
                    help="a report.html or compare.html, optionally with the ids of the "
                    "figures to take after `::` (default: every figure)")
    ap.add_argument("-o", "--out", required=True, metavar="DIR")
    ap.add_argument("--prefix", default="", help="prefix of the PNG names (NAME = PREFIX + id)")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=1600,
                    help="window height: a figure taller than the window is cut")
    ap.add_argument("--caption", action="store_true", help="include each figure's caption")
    args = ap.parse_args(argv)
    errors = []
    try:
        with chromium(args.width, args.height) as d:
            for item in args.html:
                page, _, figs = item.partition("::")
                open_report(d, page)
                ids = [f for f in figs.split(",") if f] or list(figure_sizes(d))
                for fid in ids:
                    p = screenshot(d, fid, Path(args.out) / f"{args.prefix}{fid}.png",
                                   args.caption)
                    print(p)
                errors += [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    except (BrowserUnavailable, TimeoutError) as e:
        print(f"analysis.browser: {e}", file=sys.stderr)
        return 2
    for e in errors:
        print("console:", e["message"], file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
