"""The phone page in a real browser: Debian's headless Chromium at a phone's size (360×780).

Each state is loaded, run (JavaScript on) and screenshotted; the DOM Chromium ends with is what
the assertions read. The live update is real: the page is served while the ticket waits, the
window calls it, and the page's own poll (static/app.js, every 10 s of the browser's virtual
time) turns it into "请到 S01 窗口办理" without a reload. Screenshots go to the test's tmp folder
and, when HALLQ_SHOTS names a folder, there too (to look at them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.halls import signed_in_desk
from tests.web.conftest import WebHall
from web import gateway as gw

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt install chromium; .ci/run does)")


def browse(url: str, tmp: Path, shot: str, *, size: str = "360,780", budget_ms: int = 3000) -> str:
    """Load ``url`` in headless Chromium (JavaScript on), save a screenshot named ``shot``; the final DOM."""
    assert CHROMIUM is not None
    profile = tmp / f"chromium-{shot}"
    png = tmp / f"{shot}.png"
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
              "--no-first-run", "--disable-extensions", "--disable-background-networking", f"--user-data-dir={profile}",
              f"--window-size={size}", f"--virtual-time-budget={budget_ms}", "--lang=zh-CN"]
    dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True).stdout
    subprocess.run([*common, f"--screenshot={png}", url], capture_output=True, timeout=120, check=True)
    assert png.stat().st_size > 5000, "an empty screenshot"
    keep = os.environ.get("HALLQ_SHOTS")
    if keep:  # to look at: the phone's screen, and the whole page below it
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)
        width = size.split(",", maxsplit=1)[0]
        whole = [arg for arg in common if not arg.startswith("--window-size")] + [f"--window-size={width},1900"]
        subprocess.run([*whole, f"--screenshot={Path(keep) / (shot + '-whole.png')}", url], capture_output=True,
                       timeout=120, check=True)
    return dom


def test_waiting_page_updates_itself_when_called(web: WebHall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    web.open_window()
    ahead = web.issue()
    mine = web.issue()
    served: list[str] = []
    original = web.gateway.progress

    def first_then_call(token: str) -> Any:
        view = original(token)
        served.append(view.state if view else "")
        if len(served) == 1:  # the page has been served waiting: now the window calls the two tickets
            web.call()
            web.outcome("consulted")
            web.call()
        return view

    monkeypatch.setattr(web.gateway, "progress", first_then_call)
    dom = browse(web.base + web.path(mine), tmp_path, "web-called", budget_ms=25000)
    assert served[0] == "waiting" and "called" in served[1:], served  # served waiting, then polled (no reload)
    assert "请到 S01 窗口办理" in dom and "等候中" not in dom
    assert ahead["number"] not in dom


def test_every_state_at_phone_size(web: WebHall, tmp_path: Path) -> None:
    web.open_window()
    waiting = web.issue(name="张三", id_number="11010519491231002X")
    web.issue()
    dom = browse(web.base + web.path(waiting), tmp_path, "web-waiting")
    assert "前面还有" in dom and waiting["number"] in dom and "张三" not in dom
    english = browse(web.base + web.path(waiting) + "?lang=en", tmp_path, "web-waiting-en")
    assert "People ahead" in english and "中文" in english
    web.call()
    web.outcome("passed")
    passed = browse(web.base + web.path(waiting), tmp_path, "web-passed")
    assert "您的号已过号" in passed and "过号取号" in passed
    missing = browse(web.base + f"/p/{waiting['id']}.{'A' * 22}", tmp_path, "web-not-found")
    assert "未找到该号" in missing and waiting["number"] not in missing


def test_case_stages_and_rating_in_the_browser(web: WebHall, tmp_path: Path) -> None:
    web.open_window()
    mine = web.issue(matter="id-card", situation="renew", id_number="11010519491231002X")  # 公安局, 承诺件
    web.call()
    web.outcome("accepted")
    web.skip_rating()
    front, guide, office = web.client("P-S01"), web.lh.guide(), signed_in_desk(web.lh)
    case = front.request("case.accept", {"window": "S01", "ticket": mine["id"]})["case"]["id"]
    guide.request("case.pick_up", {"case": case})
    office.request("case.sign", {"case": case})
    office.request("case.notify_correction", {"case": case, "reasons": ["缺少户口簿首页复印件"]})
    dom = browse(web.base + web.path(mine), tmp_path, "web-case-correction", budget_ms=2000)
    for words in ("办件进度", "受理", "转递", "审查", "缺少户口簿首页复印件", "窗口", "承诺办结日期", "好差评"):
        assert words in dom, words
    front.request("case.receive_correction", {"window": "S01", "case": case})
    office.request("case.sign", {"case": case})
    office.request("case.approve", {"case": case})
    office.request("case.send_out", {"case": case})
    front.request("case.receive_result", {"window": "S01", "case": case})
    ready = browse(web.base + web.path(mine), tmp_path, "web-case-ready", budget_ms=2000)
    assert "待领取" in ready and "请到 S01 出件窗口领取" in ready and "缺少户口簿首页复印件" not in ready
    english = browse(web.base + web.path(mine) + "?lang=en", tmp_path, "web-case-ready-en", budget_ms=2000)
    for words in ("Accepted", "Ready for pickup", "Collected", "How to collect: "):  # stages as states (CASE_WORDS)
        assert words in english, words
    assert "待领取" not in english and "办件进度" not in english


def test_rating_form_in_the_browser_then_thanks(web: WebHall, tmp_path: Path) -> None:
    web.open_window()
    mine = web.issue()
    web.call()
    web.outcome("consulted")
    web.skip_rating()
    form = browse(web.base + web.path(mine), tmp_path, "web-rating-form")
    assert "非常满意" in form and "提交评价" in form and "请选择不满意的原因" in form
    token = web.path(mine).rsplit("/", 1)[1]
    web.gateway.rate(token, 4, "")
    thanks = browse(web.base + web.path(mine), tmp_path, "web-rating-thanks")
    assert "感谢您的评价" in thanks and "您的评价：满意" in thanks and "提交评价" not in thanks


def test_desktop_size_too(web: WebHall, tmp_path: Path) -> None:
    mine = web.issue()
    dom = browse(web.base + web.path(mine), tmp_path, "web-desktop", size="1280,800")
    assert mine["number"] in dom and "等候中" in dom


def test_cache_is_short(web: WebHall) -> None:
    assert 0 < gw.CACHE_S <= 5  # a phone's poll never shows a state older than a few seconds
