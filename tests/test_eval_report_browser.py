"""report.html in a real browser: Debian's headless Chromium driven by Playwright (never `playwright install`).

Without /usr/bin/chromium the test skips loudly on a developer machine and FAILS under CI=true.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coach.cli import app

pytestmark = pytest.mark.slow  # drives Chromium

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _require_browser() -> None:
    missing = None
    if not CHROMIUM.is_file():
        missing = f"{CHROMIUM} is not installed (apt-get install -y chromium chromium-driver)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "Playwright for Python is not installed (.venv/bin/pip install playwright)"
    if missing:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI requires the browser test: {missing}")
        pytest.skip(f"!!! BROWSER TEST SKIPPED: {missing} — under CI=true this fails")


@pytest.fixture
def report(hash_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COACH_HOME", str(hash_home))
    monkeypatch.setenv("COACH_EMBEDDINGS", "hash")
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["eval", "run", "--suite", "scenarios", "--limit", "12", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_report_renders_chart_and_failing_case_expands(report: Path) -> None:
    _require_browser()
    from playwright.sync_api import sync_playwright

    data = json.loads((report / "results.json").read_text(encoding="utf-8"))
    failing = [c for c in data["cases"] if any(m["passed"] is False for m in c["metrics"])]
    assert failing, "the offline subset should have at least one failing metric to show"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((report / "report.html").as_uri())
        assert page.locator("h1").inner_text().startswith("coach eval")
        assert page.locator("#verdict").inner_text().startswith("PASS")
        chart = page.locator("svg#chart-metrics")
        assert chart.is_visible() and chart.bounding_box()["height"] > 50  # type: ignore[index]
        bars = page.locator("svg#chart-metrics rect.bar")
        assert bars.count() == len(data["summary"]["metrics"])
        widths = {bars.nth(i).get_attribute("data-metric"): float(bars.nth(i).get_attribute("width") or 0)
                  for i in range(bars.count())}
        assert widths["no_unauthorized_promise"] > widths["mentions_issue"]  # 100 % vs a low pass rate
        case = page.locator(f"details.case[data-case='{failing[0]['case_id']}']")
        reply = case.locator(".reply")
        assert not reply.is_visible()  # collapsed until clicked
        case.locator("summary").click()
        assert reply.is_visible() and case.get_attribute("open") is not None
        assert failing[0]["reply"][:10] in reply.inner_text()
        assert case.locator("li").first.is_visible() and "rule" in case.locator("li").first.inner_text()
        assert all(u.startswith("file://") for u in requests)  # self-contained: nothing fetched
        browser.close()
