"""Real widgets against a real hall: calls, voice queue, zones, reconnects, lost connection, evaluator."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from display.evaluator import Stage
from display.phrases import VoiceSettings
from display.tts import PhraseCache
from display.voice import Announcer
from hallq.client import HallClient
from hub.broker import EmbeddedBroker
from launcher.local_hall import LocalHall
from launcher.scenes.display import HallDriver, open_hall_screen, open_window_screen, wait_until
from tests.display.display_helpers import RecordingPlayer


class SilentEngine:
    name = "silent"

    def key(self) -> str:
        return "silent"

    def render(self, phrase: Any) -> Any:
        from display.audio import Audio, silence

        return silence(1.0, Audio(16000, b""))


def _announcer(tmp_path: Path) -> tuple[Announcer, RecordingPlayer]:
    player = RecordingPlayer(time.time)
    cache = PhraseCache(SilentEngine(), tmp_path / "cache")
    return Announcer(cache.get, player, time.time, VoiceSettings(chime=False, repeat=1, watchdog_s=60),
                     out_dir=tmp_path / "say"), player


def test_a_pads_call_appears_and_is_spoken_once_in_order(app: Any, local: LocalHall, driver: HallDriver,
                                                         tmp_path: Path) -> None:
    announcer, player = _announcer(tmp_path)
    _, view, _ = open_hall_screen(local, announcer=announcer)
    driver.issue("A", 3)
    driver.open("S01")
    driver.open("S02", "1002")
    driver.call("S01")
    assert wait_until(lambda: view.number.text().startswith("A001"))
    assert "S01" in view.to_window.text()
    assert view.board.flashing()
    driver.call("S02")
    driver.recall("S01")
    assert wait_until(lambda: len(announcer.spoken) + len(announcer.queue) == 3)
    assert len(player.played) == 1  # the others wait: nothing is cut off
    player.finish()
    player.finish()
    player.finish()
    assert [a.phrase.text for a in announcer.spoken] == [
        "请A001号到S01窗口办理", "请A002号到S02窗口办理", "重呼，请A001号到S01窗口办理"]
    assert player.overlaps == 0
    wait_until(lambda: False, 0.5)  # late duplicates, retained repaints: nothing more is queued
    assert len(announcer.spoken) == 3 and not announcer.queue
    # the hall screen shows the newest (the recall) big, the other calls below
    assert view.number.text().startswith("A001") and "重呼" in view.please.text()
    assert view.recent_rows[0][0].text() == "A002"


def test_zone_filter_shows_and_speaks_only_its_windows(app: Any, local: LocalHall, driver: HallDriver,
                                                       tmp_path: Path) -> None:
    announcer, player = _announcer(tmp_path)
    _, z1, _ = open_hall_screen(local, device="D-HALL", zone="Z1", announcer=announcer)
    _, z2, _ = open_hall_screen(local, device="D-HALL-Z2", zone="Z2")
    driver.issue("A", 1)
    driver.issue("C", 1)
    driver.open("S01")
    driver.open("R01", "1002")
    driver.call("R01")  # 不动产专窗, zone Z2
    driver.call("S01")
    assert wait_until(lambda: z2.number.text().startswith("C001") and z1.number.text().startswith("A001"))
    assert [c.window for c in z1.board.calls] == ["S01"]
    assert [c.window for c in z2.board.calls] == ["R01"]
    assert {q.id for q in z1.board.waiting()} == {"A", "B"}
    assert "C" in {q.id for q in z2.board.waiting()}
    assert wait_until(lambda: len(announcer.spoken) == 1)
    wait_until(lambda: False, 0.3)
    assert [a.call.window for a in announcer.spoken] == ["S01"] and not announcer.queue


def test_a_restarted_screen_repaints_from_retained_state(app: Any, local: LocalHall, driver: HallDriver,
                                                         tmp_path: Path) -> None:
    driver.issue("A", 2)
    driver.open("S01")
    driver.call("S01")
    driver.finish("S01")
    driver.call("S01")
    announcer, player = _announcer(tmp_path)
    _, view, _ = open_hall_screen(local, announcer=announcer)  # started after the calls
    assert wait_until(lambda: view.number.text().startswith("A002"))
    assert view.recent_rows[0][0].text() == "A001"
    assert wait_until(lambda: any(q.id == "A" for q in view.board.waiting()))  # retained queues may come after calls
    assert not view.board.flashing()  # an old call is shown, not announced as new
    assert player.played == []


@pytest.mark.slow
def test_connection_lost_then_repaint_after_the_broker_returns(app: Any, local: LocalHall, driver: HallDriver
                                                               ) -> None:
    driver.issue("A", 2)
    driver.open("S01")
    driver.call("S01")
    _, view, _ = open_hall_screen(local)
    assert wait_until(lambda: view.number.text().startswith("A001"))
    assert view.stack.currentIndex() == 0
    assert local.broker is not None
    port = int(local.url.rsplit(":", 1)[1])
    local.broker.stop()
    assert wait_until(lambda: view.stack.currentIndex() == 1, 20)  # the connection-lost page
    assert "连接中断" in view.offline_title.text()
    assert view.board.calls == [] and view.board.waiting() == []  # no stale data kept as if live
    local.broker = EmbeddedBroker("127.0.0.1", port).start()  # a fresh broker: no retained messages
    # the hub reconnects and re-publishes its state; the screen reconnects and repaints from it
    assert wait_until(lambda: view.stack.currentIndex() == 0 and view.number.text().startswith("A001"), 30)


def test_hub_offline_shows_connection_lost(app: Any, local: LocalHall) -> None:
    _, view, qhall = open_hall_screen(local)
    assert wait_until(lambda: view.board.online and view.stack.currentIndex() == 0)
    fake = HallClient(local.url, local.hall.id, "probe", "admin").start()
    try:  # the hub's last will, as the broker would publish it when the hub dies
        fake.publish(fake.topics.presence("hub"), b'{"v":1,"online":false,"role":"hub","at":0}', retain=True)
        assert wait_until(lambda: view.stack.currentIndex() == 1)
    finally:
        fake.publish(fake.topics.presence("hub"), b'{"v":1,"online":true,"role":"hub","at":0}', retain=True)
        fake.stop()
    assert wait_until(lambda: view.stack.currentIndex() == 0)


# ---------------------------------------------------------------- window screen and evaluator


def _evaluated(local: LocalHall) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    c = local.client("eval-watch", "admin")
    c.subscribe(c.topics.event("evaluated"), lambda t, d: got.append(d))
    return got


def test_window_screen_shows_staff_ticket_and_pause(app: Any, local: LocalHall, driver: HallDriver) -> None:
    driver.issue("A", 2)
    driver.open("S01")
    _, view, _ = open_window_screen(local)
    assert wait_until(lambda: view.staff_name.text() == "王丽")
    assert view.staff_id.text() == "工号 1001"
    driver.call("S01")
    assert wait_until(lambda: view.serving_number.text() == "A001")
    driver.pad("S01").request("ticket.outcome", {"window": "S01", "outcome": "passed"})
    driver.pause("S01", "午间休息")
    assert wait_until(lambda: view.info_stack.currentIndex() == 1 and view.paused_title.text() == "暂停服务")
    assert view.paused_reason.text() == "午间休息"


def test_invite_then_rating_reaches_the_hub(app: Any, local: LocalHall, driver: HallDriver) -> None:
    got = _evaluated(local)
    driver.issue("A", 1)
    driver.open("S01")
    driver.call("S01")
    screen, view, _ = open_window_screen(local)
    driver.finish("S01")  # 受理: the hub invites a rating
    assert wait_until(lambda: view.stack.currentIndex() == 1)  # the rating page, nothing preselected
    assert all(not b.isChecked() and not b.isDown() for b in view.level_buttons.values())
    view.level_buttons[4].click()
    assert wait_until(lambda: screen.evaluator.stage is Stage.THANKS)
    assert "满意" in view.thanks_level.text()
    assert wait_until(lambda: len(got) == 1)
    assert got[0]["level"] == 4 and got[0]["window"] == "S01"
    state = local.clients[0].state  # any client's cache of retained state
    assert wait_until(lambda: screen.board.state is None or screen.board.state.evaluation is None)
    assert [s.op for s in screen.sent] == ["evaluation.submit"]
    del state


def test_bad_rating_requires_a_reason(app: Any, local: LocalHall, driver: HallDriver) -> None:
    got = _evaluated(local)
    driver.issue("A", 1)
    driver.open("S01")
    driver.call("S01")
    screen, view, _ = open_window_screen(local)
    driver.finish("S01")
    assert wait_until(lambda: screen.evaluator.stage is Stage.RATING)
    view.level_buttons[1].click()
    assert screen.evaluator.stage is Stage.REASON and view.stack.currentIndex() == 2
    assert screen.sent == []  # nothing is sent without a reason
    view.back_button.click()
    assert screen.evaluator.stage is Stage.RATING
    view.level_buttons[2].click()
    view.reason_buttons["等候时间长"].click()
    assert wait_until(lambda: len(got) == 1)
    assert got[0]["level"] == 2 and got[0]["label"] == "不满意"


def test_timeout_records_not_rated(app: Any, local: LocalHall, driver: HallDriver) -> None:
    got = _evaluated(local)
    driver.issue("A", 1)
    driver.open("S01")
    driver.call("S01")
    screen, view, _ = open_window_screen(local, timeout_s=1.0)
    screen.evaluator.default_timeout_s = 1.0
    driver.finish("S01")
    assert wait_until(lambda: screen.evaluator.stage is Stage.RATING)
    screen.evaluator.deadline = time.time() + 1.0  # the hall's timeout is 60 s; this screen's is shorter
    assert wait_until(lambda: len(got) == 1, 10)
    assert got[0]["level"] == 0 and got[0]["label"] == "未评价"
    assert [s.op for s in screen.sent] == ["evaluation.skip"]
    assert wait_until(lambda: screen.evaluator.stage is Stage.IDLE and view.stack.currentIndex() == 0)


def test_a_window_screen_may_rate_only_its_own_window(app: Any, local: LocalHall, driver: HallDriver) -> None:
    from hallq.client import RequestError

    driver.issue("A", 1)
    driver.open("S02", "1002")
    driver.call("S02")
    driver.finish("S02")
    evaluator_s01 = local.client("D-S01")
    with pytest.raises(RequestError) as err:
        evaluator_s01.request("evaluation.submit", {"window": "S02", "level": 5})
    assert err.value.code == "forbidden"


def test_retry_uses_the_same_request_id(app: Any, local: LocalHall, driver: HallDriver) -> None:
    """An unknown outcome (timeout) is retried with the same id: the hub records one rating."""
    got = _evaluated(local)
    driver.issue("A", 1)
    driver.open("S01")
    driver.call("S01")
    screen, view, _ = open_window_screen(local, retry_ms=100)
    driver.finish("S01")
    assert wait_until(lambda: screen.evaluator.stage is Stage.RATING)
    sub = screen.evaluator.choose(5)
    assert sub is not None
    screen._submit(sub)
    assert wait_until(lambda: len(got) == 1)
    # the reply was "lost": the evaluator still holds it and the screen sends it again
    screen.evaluator.outbox, screen.evaluator.stage = sub, Stage.SENDING
    screen._on_reply(sub, False, "timeout")
    assert wait_until(lambda: len(screen.sent) == 2 and screen.evaluator.stage is Stage.THANKS)
    assert screen.sent[0].request_id == screen.sent[1].request_id
    wait_until(lambda: False, 0.3)
    assert len(got) == 1
