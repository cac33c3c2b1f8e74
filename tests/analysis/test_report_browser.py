"""The report as a reader sees it: headless Chromium renders report.html, every image in the
page has loaded, and the screenshot is not blank.

In CI (CI=true) Chromium must be there (.ci/run installs Debian's chromium); elsewhere the test
is skipped without it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--hide-scrollbars", "--disable-extensions", "--disable-dev-shm-usage"]

PROBE = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.documentElement.setAttribute('data-images', ok.length + '/' + imgs.length);
});
</script>"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("chromium is missing in CI: .ci/run must install Debian's chromium")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return found


def run(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, check=False)


def test_report_renders_in_chromium(xss_report, tmp_path):
    browser = chromium()
    # Every image decoded: a copy of the page with a probe that counts loaded images.
    probe = tmp_path / "probe.html"
    probe.write_text(xss_report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    dom = run(browser, tmp_path / "profile1", "--virtual-time-budget=15000", "--dump-dom",
              probe.as_uri())
    found = re.search(r'data-images="(\d+)/(\d+)"', dom.stdout)
    assert found, f"no probe result in the DOM dump; stderr: {dom.stderr[-2000:]}"
    loaded, total = int(found.group(1)), int(found.group(2))
    assert total >= 10 and loaded == total, f"{loaded} of {total} images loaded"
    assert "alert(1)" not in re.sub(r"&lt;script&gt;alert\(1\)&lt;/script&gt;", "", dom.stdout)
    sections = re.findall(r'<section[^>]*\sid="([^"]+)"', dom.stdout)
    assert sections[:2] == ["summary", "key-charts"], sections  # the summary comes first

    # The page as a picture: not blank, and the charts' colours are on it.
    shot = tmp_path / "report.png"
    res = run(browser, tmp_path / "profile2", "--window-size=1280,5000",
              "--virtual-time-budget=15000", f"--screenshot={shot}", xss_report.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000, res.stderr[-2000:]
    pixels = image.imread(shot)[..., :3]
    assert pixels.shape[0] >= 4000 and pixels.shape[1] >= 1200
    not_white = (pixels < 0.94).any(axis=2).mean()
    assert not_white > 0.05, f"screenshot nearly blank ({not_white:.1%} non-white)"
    assert pixels.std() > 0.05
    blue = np.array([0x00, 0x72, 0xB2]) / 255  # the first alternative's colour
    assert (np.abs(pixels - blue).max(axis=2) < 0.08).mean() > 0.001, "no chart on the page"


def test_case_study_summary_as_a_reader_sees_it(case_study, tmp_path):
    """The executive summary is the first thing on the page: a screenshot of the top of the
    case study's report is not blank and shows the summary table's rows."""
    browser = chromium()
    page = case_study / "report.html"
    dom = run(browser, tmp_path / "profile1", "--virtual-time-budget=15000", "--dump-dom",
              page.as_uri())
    sections = re.findall(r'<section[^>]*\sid="([^"]+)"', dom.stdout)
    assert sections[0] == "summary", sections
    first = dom.stdout[dom.stdout.index('id="summary"'):]
    assert first.index("Executive summary") < first.index("Nation A") < first.index("Nation C")
    shot = Path(os.environ.get("SUSTAIN_SCREENSHOT", tmp_path / "summary.png"))
    res = run(browser, tmp_path / "profile2", "--window-size=1400,2000",
              "--virtual-time-budget=15000", f"--screenshot={shot}", page.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000, res.stderr[-2000:]
    pixels = image.imread(shot)[..., :3]
    top = pixels[:1300]                       # the summary, above the first chart
    assert (top < 0.94).any(axis=2).mean() > 0.03, "summary area nearly blank"
    red = np.array([0xB0, 0x00, 0x20]) / 255  # the banner
    assert (np.abs(pixels[:40] - red).max(axis=2) < 0.12).mean() > 0.001
