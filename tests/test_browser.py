"""The HTML report in a real browser: headless Chromium opens it from disk, every image loads, no
console error, a screenshot is kept (a CI artifact) and it prints to PDF. Skips without Chromium.

MSK_SCREENSHOTS names the folder the screenshot and PDF are kept in (CI uploads it); by default
the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import PROJECT
from helpers import render_report, run_stages

from msk_cooccurrence import outputs
from msk_cooccurrence.config import validate_config

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no headless Chromium on this machine")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
# put first in <head>: collects every load error and console error, then reports the images on load
CHECKER = """<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  var t = e.target || {};
  __errors.push("error: " + (e.message || ("failed to load " + (t.alt || t.tagName))));
}, true);
var __consoleError = console.error;
console.error = function () { __errors.push("console.error: " + Array.from(arguments).join(" ")); };
window.addEventListener("load", function () {
  var images = Array.from(document.images);
  var broken = images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
    .map(function (i) { return i.alt; });
  var out = document.createElement("pre");
  out.id = "__check";
  out.textContent = JSON.stringify({images: images.length, broken: broken, errors: __errors});
  document.body.appendChild(out);
});
</script>"""


def chromium(*args: str, profile: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    command = [BROWSER, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A synthetic dataset's report, made by the workflow's stage functions."""
    folder = tmp_path_factory.mktemp("browser")
    config = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())
    config["datasets"] = {"synthetic": {"source": "synthetic", "n": 1500, "seed": 4}}
    config["sensitivity"] = {"multiple_imputation": False}
    config["literature"] = str(PROJECT / "config" / "literature.csv")
    config = validate_config(config)
    paths = run_stages(config, "synthetic", folder, tables=True, figures=True)
    return render_report(config, "synthetic", folder, paths)


def kept(name: str, default: Path) -> Path:
    folder = Path(os.environ.get("MSK_SCREENSHOTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


@needs_browser
def test_the_report_opens_with_every_figure_and_no_console_error(report, tmp_path):
    checked = tmp_path / "checked.html"
    checked.write_text(report.read_text().replace("<head>", "<head>\n" + CHECKER, 1))
    result = chromium("--virtual-time-budget=10000", "--dump-dom", checked.as_uri(), profile=tmp_path / "p1")
    found = re.search(r'<pre id="__check">(.*?)</pre>', result.stdout, flags=re.DOTALL)
    assert found, result.stderr[-2000:]
    check = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert check["images"] == len(outputs.figures())
    assert check["broken"] == [] and check["errors"] == []


@needs_browser
def test_a_screenshot_and_a_pdf_are_kept(report, tmp_path):
    shot = kept("report.png", tmp_path)
    result = chromium("--window-size=1280,2400", f"--screenshot={shot}", report.as_uri(), profile=tmp_path / "p2")
    assert shot.exists() and shot.stat().st_size > 50_000, result.stderr[-2000:]
    pdf = kept("report.pdf", tmp_path)
    result = chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri(), profile=tmp_path / "p3")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 100_000, result.stderr[-2000:]


def test_printing_keeps_figures_and_banner_whole(report):
    html = report.read_text()
    printing = html[html.index("@media print") :]
    assert re.search(r"figure, img[^{]*\{[^}]*break-inside: avoid", printing)
    assert ".scroll { overflow: visible; }" in printing and not re.search(r"\.scroll \{[^}]*max-height", html)
    assert "Synthetic data." in html and "by construction" in html


# put last in <body>: measures, in the laid-out page, whether each table's box shows all its rows,
# and whether the claims table's first column stays in view when the table is scrolled to its end
LAYOUT = """<script>
window.addEventListener("load", function () {
  var boxes = Array.from(document.querySelectorAll(".scroll"));
  var clipped = boxes.filter(function (b) { return b.scrollHeight > b.clientHeight + 1; }).length;
  var claims = document.querySelector("#claims ~ .scroll");
  var box = claims.getBoundingClientRect();
  var rows = Array.from(claims.querySelectorAll("tbody tr"));
  var shown = rows.filter(function (r) {
    var b = r.getBoundingClientRect();
    return b.height > 0 && b.top >= box.top - 1 && b.bottom <= box.bottom + 1;
  }).length;
  claims.scrollLeft = claims.scrollWidth;
  var first = rows[0].cells[0].getBoundingClientRect();
  var cells = rows[0].cells, last = cells[cells.length - 1].getBoundingClientRect();
  var out = document.createElement("pre");
  out.id = "__layout";
  out.textContent = JSON.stringify({boxes: boxes.length, clipped: clipped, rows: rows.length, shown: shown,
    scrolls: claims.scrollWidth > claims.clientWidth, first_left: first.left - box.left,
    last_right: box.right - last.right});
  document.body.appendChild(out);
});
</script>"""


@needs_browser
def test_no_table_is_clipped_and_a_wide_one_scrolls_with_its_first_column_kept(report, tmp_path):
    checked = tmp_path / "layout.html"
    checked.write_text(report.read_text().replace("</body>", LAYOUT + "\n</body>", 1))
    result = chromium(
        "--window-size=1000,900", "--virtual-time-budget=10000", "--dump-dom", checked.as_uri(), profile=tmp_path / "p4"
    )
    found = re.search(r'<pre id="__layout">(.*?)</pre>', result.stdout, flags=re.DOTALL)
    assert found, result.stderr[-2000:]
    layout = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    claims = len(pd.read_csv(report.parent / "claims.csv"))
    assert layout["boxes"] > 5 and layout["clipped"] == 0  # no box hides rows below a fixed height
    assert layout["rows"] == claims and layout["shown"] == claims  # every claim, reliability column and all
    # scrolled to its right end (a 1000 px window is narrower than the table): the last column is in
    # view, and the first (the claim) stays at the box's left edge
    assert layout["scrolls"] and abs(layout["first_left"]) <= 1 and layout["last_right"] >= -1
