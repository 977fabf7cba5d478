"""The phone page over plain HTTP (the no-JavaScript path): every state, the rating form, the guards.

Real hub, real embedded broker, the web app on uvicorn; requests with urllib, as an old phone's
browser would send them (a form POST, no script)."""

from __future__ import annotations

import re
import urllib.parse

from tests.web.conftest import WebHall

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def form(page: str, **fields: str) -> bytes:
    found = CSRF.search(page)
    assert found, "no rating form on the page"
    return urllib.parse.urlencode({"csrf": found.group(1), **fields}).encode()


def test_waiting_then_called_then_done(web: WebHall) -> None:
    web.open_window()
    first = web.issue()
    mine = web.issue(name="张三", id_number="11010519491231002X", phone="13812345678")
    page = web.get(web.path(mine))
    assert page.status == 200, page.body
    assert mine["number"] in page.body and "等候中" in page.body and "请留意大厅屏幕和语音叫号" in page.body
    assert "前面还有" in page.body and "1 人" in page.body  # one ticket ahead
    lo, hi = mine["wait_lo_min"], mine["wait_hi_min"]  # the hub's predicted wait, as the kiosk and slip show it
    assert lo is not None and hi is not None and lo <= hi
    assert "预计等候" in page.body and f"约 {lo}-{hi} 分钟" in page.body
    for secret in ("11010519491231002X", "张三", "13812345678", "138****5678"):
        assert secret not in page.body
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert web.call()["id"] == first["id"]
    web.outcome("consulted")
    assert web.call()["id"] == mine["id"]
    page = web.get(web.path(mine))
    assert "请到 S01 窗口办理" in page.body and "已叫号" in page.body
    english = web.get(web.path(mine) + "?lang=en")
    assert "Please go to window S01" in english.body and 'lang="en"' in english.body
    web.outcome("accepted")
    done = web.get(web.path(mine))
    assert "已受理" in done.body and "前面还有" not in done.body


def test_no_window_open_no_predicted_wait(web: WebHall) -> None:
    mine = web.issue()
    assert mine["wait_lo_min"] is None
    page = web.get(web.path(mine))
    assert page.status == 200 and "前面还有" in page.body
    assert "预计等候" not in page.body  # no open window serves it: nothing shown rather than a guess


def test_passed_says_how_to_retake(web: WebHall) -> None:
    web.open_window()
    mine = web.issue()
    web.call()
    web.outcome("passed")
    page = web.get(web.path(mine))
    assert "您的号已过号" in page.body and "过号取号" in page.body and "每张小票可过号取号 1 次，您已取 0 次" in page.body


def test_expired_after_the_day(web: WebHall) -> None:
    mine = web.issue()
    web.clock.set_local(9, 0, day_offset=1)
    web.gateway.client.request("progress.get", {"token": web.path(mine).rsplit("/", 1)[1]})  # the hub rolls the day
    page = web.get(web.path(mine))
    assert page.status == 200 and "本号已作废" in page.body, page.body


def test_unknown_altered_and_walked_tokens_get_one_plain_404(web: WebHall) -> None:
    mine = web.issue()
    other = web.issue()
    path = web.path(mine)
    mac = path.rsplit(".", 1)[1]
    walked = path.replace(mine["number"], other["number"])  # the next number with my MAC
    for bad in (walked, path[:-1] + ("A" if path[-1] != "A" else "B"), f"/p/{mine['id']}",
                f"/p/{mine['number']}", f"/p/{mine['id']}.{mac[:-3]}", "/p/..%2F..%2Fetc%2Fpasswd",
                "/p/" + "9" * 300):
        answer = web.get(bad)
        assert answer.status == 404, (bad, answer.status)
        assert "未找到该号" in answer.body and mine["number"] not in answer.body and other["number"] not in answer.body
    assert web.get(path).status == 200


def test_too_many_misses_from_one_client_are_refused(web: WebHall) -> None:
    mine = web.issue()
    statuses = [web.get(f"/p/{mine['id']}.{'A' * 22}").status for _ in range(45)]
    assert statuses[:40] == [404] * 40 and statuses[-1] == 429
    assert web.get(web.path(mine)).status == 429  # the client, not the token, is held back for a while
    web.limits.misses.clock = lambda: 1e12  # later: its bucket has refilled
    assert web.get(web.path(mine)).status == 200


def served(web: WebHall) -> dict[str, object]:
    web.open_window()
    mine = web.issue()
    web.call()
    web.outcome("accepted")
    web.skip_rating()
    return mine


def test_rating_without_javascript_once(web: WebHall) -> None:
    mine = served(web)
    path = web.path(mine)
    page = web.get(path).body
    assert "好差评" in page and "非常满意" in page and "等候时间长" in page and "2026-11-30 前有效" in page
    answer = web.post(path + "/rate", form(page, level="5"))
    assert answer.status == 303 and answer.headers["location"] == path
    after = web.get(path).body
    assert "感谢您的评价" in after and "您的评价：非常满意" in after and 'name="csrf"' not in after
    replay = web.post(path + "/rate", form(page, level="1", reason="其他"))  # the same form again
    assert replay.status == 409 and "每次服务只能评价一次" in replay.body
    e = web.lh.hub.service.store.followups_since("2026-11-23")[str(mine["id"])]  # type: ignore[union-attr]
    assert (e.level, e.channel) == (5, "web")


def test_rating_refusals_say_what_is_wrong(web: WebHall) -> None:
    mine = served(web)
    path = web.path(mine)
    page = web.get(path).body
    no_csrf = web.post(path + "/rate", b"level=5")
    assert no_csrf.status == 403 and "页面已过期" in no_csrf.body
    forged = web.post(path + "/rate", urllib.parse.urlencode({"csrf": "1795000000." + "0" * 32, "level": "5"}).encode())
    assert forged.status == 403
    cross = web.post(path + "/rate", form(page, level="5"), Origin="https://evil.example")
    assert cross.status == 403
    other = web.issue()
    elsewhere = web.post(web.path(other) + "/rate", form(page, level="5"))  # another page's form token
    assert elsewhere.status == 403
    huge = web.post(path + "/rate", form(page, level="5", reason="x" * 5000))
    assert huge.status == 413 and "过长" in huge.body
    assert web.post(path + "/rate", b'{"level": 5}', content_type="application/json").status == 400
    assert web.post(path + "/rate", form(page, level="5") + b"&level=4").status == 400  # a field twice
    assert web.post(path + "/rate", form(page, level="5", extra="1")).status == 400
    bad_level = web.post(path + "/rate", form(page, level="7"))
    assert bad_level.status == 400 and "请选择评价等级" in bad_level.body
    no_reason = web.post(path + "/rate", form(page, level="1"))
    assert no_reason.status == 400 and "差评需要从列表中选择原因" in no_reason.body
    made_up = web.post(path + "/rate", form(page, level="2", reason="我编的原因"))
    assert made_up.status == 400
    assert "好差评" in web.get(path).body and 'name="csrf"' in web.get(path).body  # nothing was recorded
