"""The hub's alarms reach the guide console by code (hallq/alarms.py): Chinese by default, English on an
English console, from the same ``status/hub`` a real hub publishes (docs/operations.md, the alarms table)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from hallq import i18n
from hallq.alarms import HUB_ALARMS, alarm_words, hub_alarm
from hallq.messages import HubAlarm

SHOTS = os.environ.get("HALLQ_SHOTS", "")  # a folder to keep the console's PNGs in, to look at them


def test_every_alarm_has_chinese_and_english_words_and_fills_them() -> None:
    for code, (zh, en) in HUB_ALARMS.items():
        assert zh and en and zh != en, code
        values = dict.fromkeys(("error", "dir", "epoch"), "X")
        alarm = hub_alarm(code, **{k: v for k, v in values.items() if "{" + k + "}" in zh})
        assert alarm.text == alarm_words(alarm, "zh_CN") and "{" not in alarm.text
        english = alarm_words(alarm, "en")
        assert english != alarm.text and "{" not in english and not any("\u4e00" <= ch <= "\u9fff" for ch in english)
    assert hub_alarm("fenced", epoch=3).text == "本中心已被备用中心接替（任期 3），不再应答"
    assert alarm_words(hub_alarm("fenced", epoch=3), "en") == (
        "This hub was taken over by the standby (epoch 3) and no longer answers")
    # a code this console does not know (a newer hub): the hub's Chinese words, never nothing
    assert alarm_words(HubAlarm(code="newer_alarm", text="新的告警"), "en") == "新的告警"


class _WitnessLost:
    """The hub's gate as a LeaseGate says it while its witness is unreachable (hub/ha/lease_client.py)."""

    def __init__(self, gate: Any) -> None:
        self._gate = gate
        self.mode, self.witness_error = "witness_lost", "见证 192.168.1.30:7700 无法联系 (timed out)"

    @property
    def alarm(self) -> HubAlarm | None:
        from hub.ha.lease_client import WITNESS_LOST

        return hub_alarm(WITNESS_LOST) if self.witness_error else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gate, name)


@pytest.mark.parametrize(("lang", "words"), [
    ("zh_CN", "● 大厅服务器告警：见证服务失联：主备同步运行，每批操作经备用中心确认后才应答，切换保护仍有效"),
    ("en", "● Hub alarm: Witness lost: the hubs run in sync, each batch is answered only once the standby confirms "
           "it; failover protection still holds"),
])
def test_the_guide_console_words_the_witness_lost_alarm_in_its_language(lang: str, words: str, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    import pad.texts  # noqa: F401
    from launcher.scenes.common import grab, reach
    from launcher.scenes.pad_setup import guide_console

    i18n.set_language(lang)
    try:
        with guide_console() as (lh, app, _s01):
            hub = lh.hub
            assert hub is not None
            hub.gate = _WitnessLost(hub.gate)
            hub._hub_status()  # what the runtime says when the gate's alarm changes
            console, view = app.presenter, app.view
            reach(lambda: any(view.alert_list.item(i).text() == words for i in range(view.alert_list.count())),
                  f"the witness alarm in {lang}")
            status = console.state.status["hub"]
            assert [a.code for a in status.alarms] == ["witness_lost"]  # the code on the wire
            assert status.error == HUB_ALARMS["witness_lost"][0]  # and the Chinese words, as before
            out = Path(SHOTS or tmp_path) / f"guide-witness-lost-{lang}.png"
            grab(view, out, (1280, 800))
            image = QImage(str(out))
            assert (image.width(), image.height()) == (1280, 800)
            hub.gate.mode, hub.gate.witness_error = "lease", None  # the witness is back: the alarm goes
            hub._hub_status()
            reach(lambda: not any("大厅服务器告警" in a.text or "Hub alarm" in a.text for a in console.alerts()),
                  "the alarm cleared")
    finally:
        i18n.set_language("zh_CN")


def test_the_operations_manual_lists_every_alarm_in_both_languages() -> None:
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text(encoding="utf-8")
    for code, (zh, en) in HUB_ALARMS.items():
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{code}` |")), "")
        assert row, f"docs/operations.md: no row for the alarm {code}"
        for words in (zh, en):  # the doc writes the hub's {values} as <…>
            for part in re.split(r"\{[a-z]+\}", words):
                assert part in row, (code, part)
