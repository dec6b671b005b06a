"""The analysis report in a real browser (headless Chromium): every chart renders with a
size, nothing is fetched or fails, and a screenshot shows a page that is not blank."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

PROBE = """<script>
document.addEventListener('DOMContentLoaded', () => {
  const svgs = [...document.querySelectorAll('svg')].map(s => {
    const r = s.getBoundingClientRect();
    return {w: r.width, h: r.height, shapes: s.querySelectorAll('rect,line,text').length};
  });
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({svgs, resources: performance.getEntriesByType('resource').length});
  document.body.appendChild(out);
});
</script>"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.fail("chromium is not installed: scripts/test.sh installs it (GITFLEET_EXTRA_APT=chromium)")


def run_chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--enable-logging=stderr", "--v=0", *args], capture_output=True, text=True, timeout=120)


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

    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("</body>", PROBE + "</body>"))
    dom = run_chromium("--dump-dom", probed.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    probe = json.loads(re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S).group(1).replace("&quot;", '"'))
    assert len(probe["svgs"]) == 18  # 6 for the fleet, 6 per repository
    for svg in probe["svgs"]:
        assert svg["w"] > 200 and svg["h"] > 40 and svg["shapes"] > 2, svg
    assert probe["resources"] == 0  # self-contained: nothing loaded

    shot = tmp_path / "report.png"
    run = run_chromium("--window-size=1280,2400", f"--screenshot={shot}", (out / "report.html").as_uri())
    assert shot.exists(), run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    width, height, pixels = png_pixels(shot)
    assert (width, height) == (1280, 2400)
    assert len(set(pixels[i:i + 3] for i in range(0, len(pixels), 997 * 3))) > 20  # many colours: charts drawn
