"""The HTML report: self-contained (every image embedded, nothing fetched), every table present;
and, where a headless Chromium is installed, it renders offline to a non-blank page."""

from __future__ import annotations

import base64
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim_cli import cli

CHROMIUM = Path("/usr/bin/chromium")


class _Inventory(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.tables, self.links, self.scripts, self.headings = [], 0, [], 0, []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        elif tag == "table":
            self.tables += 1
        elif tag == "script":
            self.scripts += 1
        elif tag == "h2":
            self._in_h2 = True
        for key in ("href", "src"):
            if key in attrs and tag != "img":
                self.links.append(attrs[key])

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.headings.append(data)


def _report(tmp_path, *args) -> tuple[Path, _Inventory]:
    path = tmp_path / "report.html"
    res = CliRunner().invoke(cli, [*args, "-q", "--workers", "1", "--report", str(path)])
    assert res.exit_code == 0, res.output
    inventory = _Inventory()
    inventory.feed(path.read_text())
    return path, inventory


def _check_self_contained(inv: _Inventory) -> None:
    assert inv.images and not inv.links and not inv.scripts
    for src in inv.images:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_run_report_is_self_contained_with_every_table_and_plots_are_files(tmp_path):
    path, inv = _report(tmp_path, "run", "-r", "3", "--seed", "1", "--plot",
                        str(tmp_path / "plots"))
    _check_self_contained(inv)
    assert len(inv.images) == 3 and inv.tables == 3  # intervals, call types, groups
    text = path.read_text()
    for heading in ("The center", "Key figures", "Hour by hour", "By call type",
                    "Run manifest"):
        assert heading in text
    assert "55 s exactly" in text and "14 phone lines" in text  # the scenario, in words
    assert (tmp_path / "report.html.manifest.json").exists()
    names = sorted(p.name for p in (tmp_path / "plots").iterdir())
    assert names == ["arrivals_agents.png", "arrivals_agents.svg", "manifest.json",
                     "service_level_abandonment.png", "service_level_abandonment.svg",
                     "waiting_times.png", "waiting_times.svg"]


def test_whatif_sweep_and_explain_reports(tmp_path):
    _, inv = _report(tmp_path, "whatif", "-r", "3", "--set", "ivr.greeting.mean_s=15")
    _check_self_contained(inv)
    assert inv.tables == 1 and len(inv.images) == 1
    _, inv = _report(tmp_path, "sweep", "-r", "2", "--grid", "ivr.greeting.mean_s=15,55",
                     "--out", str(tmp_path / "s.jsonl"), "--metric", "lost_share")
    _check_self_contained(inv)
    assert inv.tables == 1 and len(inv.images) == 1
    _, inv = _report(tmp_path, "explain", "-r", "2")
    _check_self_contained(inv)
    assert inv.tables == 1 and len(inv.images) == 2


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no headless Chromium at /usr/bin/chromium")
def test_report_renders_offline_in_a_real_browser(tmp_path):
    path, _ = _report(tmp_path, "run", "-r", "2", "--seed", "1")
    shot = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                    # Offline: any attempt to fetch from the network would fail.
                    "--proxy-server=127.0.0.1:9", "--window-size=1200,2400",
                    f"--screenshot={shot}", path.as_uri()],
                   check=True, capture_output=True, timeout=120)
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[0] == 2400 and pixels.shape[1] == 1200
    # Not blank: the page has text, tables and plots (many distinct colours).
    flat = (pixels[..., :3] * 255).astype(int).reshape(-1, 3)
    colours = {tuple(c) for c in flat[:: 97]}
    assert len(colours) > 50
