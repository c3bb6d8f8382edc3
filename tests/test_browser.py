"""The staff page in Debian's Chromium (headless, via Playwright): draft, open a citation, check, callback.

Never runs ``playwright install``: it drives /usr/bin/chromium (apt packages chromium, chromium-driver).
Without Chromium (or the playwright package) the tests skip with a loud reason, except under CI=true,
where they fail: CI can install it. Also writes docs/screenshot.png (1366x768) of a drafted reply.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_server_e2e import serving

pytestmark = pytest.mark.slow  # drives Chromium

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot.png"
COMPLAINT = "你们业务员当初说这个保险随时能退，现在退保只退一半！我要全额退款，今天不给说法我就找记者曝光！"


def _chromium() -> str | None:
    return str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (.venv/bin/pip install playwright)"
    if _chromium() is None:
        return f"{CHROMIUM} is missing (apt-get install -y chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def base_url(hash_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = _unavailable()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(f"!!! BROWSER TESTS SKIPPED: {reason} !!!")
    with serving(hash_home, tmp_path_factory.mktemp("browser") / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_chromium(), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    expected_http = "the server responded with a status of 4"  # API errors the page shows to staff
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and expected_http not in msg.text
            else None)
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith((base_url, "data:")) else None)
    page.goto(base_url + "/")
    page.locator("#draft-role option").first.wait_for(state="attached")  # roles loaded from the API
    yield page
    assert not errors, errors
    assert not outside, f"the page reached outside the server: {outside}"
    context.close()


def test_draft_a_reply_open_a_citation_and_screenshot(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    assert page.locator("#backend-badge").inner_text() == "后端：离线生成"
    assert page.evaluate("document.activeElement.id") == "draft-text"  # focus starts where staff paste
    page.fill("#draft-text", COMPLAINT)
    page.press("#draft-text", "Control+Enter")  # keyboard submit
    reply = page.locator("#reply-text")
    reply.wait_for()
    text = reply.inner_text()
    assert len(text) > 50 and "保证" not in text
    assert "离线生成" in page.locator("#draft-result .badge.offline").inner_text()
    banner = page.locator("#draft-result .banner[role=alert]")
    assert "需要升级处理" in banner.inner_text() and "媒体曝光" in banner.inner_text()
    assert page.locator("ol.steps li").count() >= 4
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    citation = page.locator("button.cite").first
    quote = citation.locator(".cite-quote").inner_text().rstrip("…")[:20]
    citation.click()
    dialog = page.locator("dialog#passage")
    dialog.wait_for(state="visible")
    expect(page.locator("#passage-meta")).to_have_text(re.compile("^语料"))
    assert page.locator("#passage-title").inner_text().startswith("《")
    assert quote.replace(" ", "") in page.locator("#passage-text").inner_text().replace("\n", "").replace(" ", "")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")


def test_check_highlights_the_offending_spans(page) -> None:  # type: ignore[no-untyped-def]
    page.click("#tab-check")
    text = "好的，没问题😀。你爱找谁找谁！"
    page.fill("#check-text", text)
    page.fill("#check-context", "能全额退吗？")
    page.press("#check-context", "Control+Enter")
    page.locator("#checked-text mark").first.wait_for()
    marks = page.locator("#checked-text mark")
    spans = [marks.nth(i).inner_text() for i in range(marks.count())]
    report = page.evaluate("""async (text) => (await fetch('/v1/check', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({text, context: '能全额退吗？'})})).json()""",
                           text)
    expected = list(dict.fromkeys(v["span"] for v in report["violations"]))  # non-overlapping here
    assert spans == expected and spans[0].startswith("好的") and "你爱找谁找谁" in spans[-1]
    shown = page.locator("#checked-text").inner_text()
    assert "".join(ch for ch in shown if ch not in "[]0123456789") == text  # the text itself is intact (emoji too)
    assert "promise" in (marks.first.get_attribute("class") or "")
    first = page.locator("li.violation").first
    assert "越权承诺" in first.inner_text() and "可以这样说" in first.inner_text()
    assert "能全额退吗" in first.inner_text()  # the explanation quotes the demand


def test_callback_form(page) -> None:  # type: ignore[no-untyped-def]
    page.click("#tab-callback")
    fields = {"#cb-name": "王", "#cb-title": "先生", "#cb-summary": "信用卡年费被重复扣取",
              "#cb-actions": "核实了扣费记录\n提交了退费申请", "#cb-result": "重复扣取的年费已退回原卡",
              "#cb-next": "保证下周全额退款", "#cb-staff": "李明", "#cb-dept": "客户服务部"}
    for selector, value in fields.items():
        page.fill(selector, value)
    page.press("#cb-dept", "Control+Enter")
    page.locator("#callback-result ol.parts").wait_for()
    result = page.locator("#callback-result").inner_text()
    assert "王先生您好" in result and "已被替换" in result
    assert "保证下周全额退款" not in page.locator("#callback-result ol.parts").inner_text()


def test_errors_are_shown_in_chinese(page) -> None:  # type: ignore[no-untyped-def]
    page.click("#tab-check")
    page.fill("#check-text", "您好")
    page.select_option("#check-role", "frontline")
    page.evaluate("document.querySelector('#check-role').add(new Option('ceo', 'ceo', true, true))")
    page.press("#check-text", "Control+Enter")
    error = page.locator("#check-form .error")
    error.wait_for(state="visible")
    assert "设置或参数有误" in error.inner_text()
