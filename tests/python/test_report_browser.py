"""The analysis report in a real browser (headless Chromium), at a phone's width (390 px) and
a desktop's (1400 px): every chart renders with a size, inside the page (nothing cut off or
scrolled sideways), with its axis titles; nothing is fetched or fails, and screenshots show
pages that are not blank."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

# Headless Chromium lays a page out at least 500 px wide: the report goes into an iframe of
# the width under test, and the page around it measures what is inside (same origin: files).
FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="report" src="report.html" style="border:0;width:WIDTHpx;height:2400px"></iframe>
<script>
document.getElementById('report').addEventListener('load', e => {
  const win = e.target.contentWindow, doc = e.target.contentDocument;
  const svgs = [...doc.querySelectorAll('svg')].map(s => {
    const r = s.getBoundingClientRect();
    return {w: r.width, h: r.height, left: r.left, right: r.right, shapes: s.querySelectorAll('rect,line,text').length,
            axes: [...s.querySelectorAll('.axis-title')].map(t => t.textContent)};
  });
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({svgs, resources: win.performance.getEntriesByType('resource').length,
                                    inner: win.innerWidth, scroll: doc.documentElement.scrollWidth});
  document.body.appendChild(out);
});
</script></body></html>"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.fail("chromium is not installed: scripts/test.sh installs it (GITFLEET_EXTRA_APT=chromium)")


def run_chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--allow-file-access-from-files", "--enable-logging=stderr", "--v=0", *args], capture_output=True, text=True, timeout=120)


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    idat, pos = b"", 8
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        if data[pos + 4:pos + 8] == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def test_report_renders_in_chromium(rich_repo, tmp_path):
    out = tmp_path / "report"
    result = subprocess.run([sys.executable, "-m", "GitFleet", "analyze", str(rich_repo.path), str(rich_repo.path),
                             "--out", str(out), "-q"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    html = (out / "report.html").read_text()
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")

    for width in (390, 1400):
        frame = out / f"frame-{width}.html"
        frame.write_text(FRAME.replace("WIDTH", str(width)))
        dom = run_chromium(f"--window-size={width},2400", "--dump-dom", frame.as_uri())
        assert dom.returncode == 0, dom.stderr[-2000:]
        probe = json.loads(re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S).group(1)
                           .replace("&quot;", '"').replace("&amp;", "&"))
        assert probe["inner"] == width and probe["scroll"] <= width, probe  # nothing wider than the page
        assert len(probe["svgs"]) == 18  # 6 for the fleet, 6 per repository
        for svg in probe["svgs"]:
            assert svg["w"] > 200 and svg["h"] > 40 and svg["shapes"] > 2, svg
            assert 0 <= svg["left"] and svg["right"] <= width, svg  # not cut off
            assert len(svg["axes"]) == 2 and all(svg["axes"]), svg
        assert probe["resources"] == 0  # self-contained: nothing loaded

        shot = tmp_path / f"report-{width}.png"
        run = run_chromium(f"--window-size={width},2400", f"--screenshot={shot}", frame.as_uri())
        assert shot.exists(), run.stderr[-2000:]
        console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
        assert console == []
        shot_width, height, pixels = png_pixels(shot)
        assert (shot_width, height) == (width, 2400)
        assert len(set(pixels[i:i + 3] for i in range(0, len(pixels), 997 * 3))) > 20  # many colours: charts drawn
