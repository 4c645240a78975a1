"""The HTML report in a real browser: Debian's headless chromium (chromedriver, selenium)
opens report.html and compare.html from disk, behind a proxy that refuses everything.
Asserts no console error, every figure drawn with a non-empty size, no request but file: and
data: addresses, and that hovering over the filled-billets chart shows a date and a value.

Marked `browser`: ctest runs it as its own test (report_browser, release stage only);
analysis_pytest leaves it out (-m "not browser")."""

import re
import time

import pytest

from analysis.tests.conftest import run_analysis
from analysis.tests.test_report import figures_of

pytestmark = pytest.mark.browser

browser = pytest.importorskip("analysis.browser")   # selenium is a Debian package here


@pytest.fixture(scope="module")
def chrome():
    try:
        with browser.chromium(1280, 1000) as d:
            yield d
    except browser.BrowserUnavailable as e:   # pragma: no cover - install-deps installs it
        pytest.fail(f"no headless browser: {e}", pytrace=False)


@pytest.fixture(scope="module")
def pages(sim_closure, sim_sweep, sim_plain, tmp_path_factory):
    d = tmp_path_factory.mktemp("browser")
    run_analysis("report", sim_closure, "-o", d / "plain", check=0)
    run_analysis("report", sim_sweep, "-o", d / "sweep", check=0)
    run_analysis("compare", sim_plain, sim_plain, "-o", d / "compare", check=0)
    return {"plain": d / "plain" / "report.html", "sweep": d / "sweep" / "report.html",
            "compare": d / "compare" / "compare.html"}


def _check_page(chrome, path):
    chrome.get_log("browser")
    chrome.get_log("performance")
    n, secs = browser.open_report(chrome, path, timeout=45)
    want = figures_of(path)
    assert n == len(want) > 0
    sizes = browser.figure_sizes(chrome)
    assert set(sizes) == set(want)
    for fid, (w, h) in sizes.items():
        assert w > 300 and h > 100, (path.name, fid, w, h)
    errors = [e for e in chrome.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert not errors, errors
    urls = browser.requests(chrome)
    assert urls, "the performance log recorded nothing"
    assert all(u.startswith(("file:", "data:")) for u in urls), \
        [u for u in urls if not u.startswith(("file:", "data:"))]
    return secs


@pytest.mark.parametrize("page", ["plain", "sweep", "compare"])
def test_page_draws_every_figure_with_no_error_and_no_request(chrome, pages, page):
    secs = _check_page(chrome, pages[page])
    assert secs < 30


def test_hover_on_the_filled_chart_shows_a_date_and_a_value(chrome, pages):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    browser.open_report(chrome, pages["plain"], timeout=45)
    plot = chrome.find_element(By.ID, "fig-filled")
    chrome.execute_script("arguments[0].scrollIntoView({block: 'center'});", plot)
    drag = plot.find_element(By.CSS_SELECTOR, "g.xy rect.nsewdrag")
    text = ""
    for dx in (0, 40, -60, 90):   # the middle of the plot area, then beside it
        ActionChains(chrome).move_to_element(drag).move_by_offset(dx, 0).perform()
        for _ in range(20):
            text = " ".join(e.text for e in plot.find_elements(By.CSS_SELECTOR,
                                                               ".hoverlayer text"))
            if text.strip():
                break
            time.sleep(0.05)
        if text.strip():
            break
    assert re.search(r"\b\d{1,2} [A-Z][a-z]{2} 20\d\d\b", text), text
    assert re.search(r"median: [\d,]+", text), text


def test_the_proxy_refuses_what_leaves_the_machine(chrome, tmp_path):
    """The check above can fail: a page that asks for a remote address gets a console error
    and the request is logged."""
    page = tmp_path / "leak.html"
    page.write_text('<html><body><div class="plot"></div>'
                    '<img src="http://example.invalid/x.png"></body></html>')
    chrome.get_log("performance")
    chrome.get(page.as_uri())
    time.sleep(0.5)
    assert any(u.startswith("http://example.invalid") for u in browser.requests(chrome))
    assert any(e["level"] == "SEVERE" for e in chrome.get_log("browser"))


def test_optimisation_figure_renders_every_alternative(chrome, sim_optimize, tmp_path):
    """The report of an `mss optimize` file: the page draws with no error and no request, and
    the optimisation figure has one marker trace per fate, one point per alternative (with
    error bars both ways) and the constraint's threshold."""
    import analysis
    run_analysis("report", sim_optimize, "-o", tmp_path / "opt", check=0)
    page = tmp_path / "opt" / "report.html"
    _check_page(chrome, page)
    with analysis.load(sim_optimize) as res:
        o = res.optimize()
    fates = set(o.alternatives["fate"])
    drawn = chrome.execute_script("""
        var p = document.getElementById('fig-optimize');
        var out = {plotly: p.classList.contains('js-plotly-plot'), traces: [], points: 0,
                   errorbars: p.querySelectorAll('g.errorbar').length};
        (p.data || []).forEach(function (t) {
          out.traces.push([t.name, t.mode, (t.x || []).length]); });
        p.querySelectorAll('.scatterlayer .trace .points path.point').forEach(function () {
          out.points += 1; });
        return out;""")
    assert drawn["plotly"]
    markers = [t for t in drawn["traces"] if t[1] == "markers"]
    assert len(markers) == len(fates)
    assert sum(t[2] for t in markers) == o.k
    assert drawn["points"] == o.k
    assert drawn["errorbars"] >= o.k
    assert [t[0] for t in drawn["traces"] if t[1] == "lines"] == [
        f"threshold of {o.outputs[1]}"]
