"""The kiosk's screens as a citizen sees them, on a real hall: 长者模式 (size, functions, reset),
the green-channel note on the ID screen, the landscape start screen, window names."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from tests.kiosk.conftest import SAMPLE_ID, FakeClock, KioskRig, wait_for


def _px(w: QWidget) -> int:
    w.ensurePolished()
    return w.font().pixelSize()


def _named(k: KioskRig, kind: type[QWidget], name: str) -> QWidget:
    page = k.window.current_page()
    found = [w for w in page.findChildren(kind) if w.objectName() == name and w.isVisibleTo(k.window)]
    assert found, f"no visible {kind.__name__}#{name} on {k.screen()}"
    return found[0]


def _tile_text(k: KioskRig) -> QLabel:
    tile = _named(k, QPushButton, "tile")
    return tile.findChildren(QLabel)[0]


def _sizes(k: KioskRig) -> dict[str, int]:
    """Font pixel sizes of what a citizen reads on the start screen and the ID screen."""
    out = {"title": _px(_named(k, QLabel, "title")), "section": _px(_named(k, QLabel, "section")),
           "action": _px(_named(k, QPushButton, "action")), "zone": _px(_named(k, QPushButton, "zone")),
           "tile": _px(_tile_text(k))}
    return out


def _start_buttons(k: KioskRig) -> set[str]:
    return {b.text() or str(b.property("tileText")) for b in k.window.current_page().findChildren(QPushButton)
            if b.isVisibleTo(k.window)}


def test_elder_mode_is_at_least_1_6_times_larger_everywhere(kiosk: KioskRig) -> None:
    k = kiosk.start()
    normal = _sizes(k)
    k.tap("长者模式")
    assert k.model.elder
    elder = _sizes(k)
    for name, px in normal.items():
        assert elder[name] >= 1.6 * px, (name, px, elder[name])
    # the ID screen: keypad and the number field
    k.model.set_elder(False)
    k.tap("居民身份证申领、换领、补领")
    k.tap("第一次办身份证")
    k.tap("取号")
    k.wait_screen("identify")
    key_n, field_n = _px(k.window.button("5")), _px(_named(k, QLabel, "fieldActive"))
    k.tap("长者模式")
    key_e, field_e = _px(k.window.button("5")), _px(_named(k, QLabel, "fieldActive"))
    assert key_e >= 1.6 * key_n and field_e >= 1.6 * field_n, (key_n, key_e, field_n, field_e)
    assert _px(k.window.button("返回首页")) >= 1.6 * 26


def test_elder_mode_keeps_every_function_of_the_start_screen(kiosk: KioskRig) -> None:
    k = kiosk.start()
    normal = _start_buttons(k)
    cat = k.model.catalog
    assert cat is not None
    k.tap("长者模式")
    elder = _start_buttons(k)
    assert normal == elder, (normal - elder, elder - normal)
    for needed in ["搜索事项", "老年人/特殊群体", "过号取号", "预约签到", "全部事项",
                   *cat.zones.values(), *(m.name for m in cat.popular())]:
        assert needed in elder, needed
    k.tap("搜索事项")  # and they work: search by pinyin in 长者模式
    k.tap("S")
    k.tap("F")
    k.tap("Z")
    assert "居民身份证申领、换领、补领" in k.window.texts()


def test_elder_mode_resets_after_home_for_the_next_citizen(kiosk: KioskRig) -> None:
    k = kiosk.start()
    normal = _px(_named(k, QLabel, "title"))
    k.tap("长者模式")
    k.window.button("全部事项").click()  # below the fold in 长者模式: a citizen scrolls to it first
    k.wait_screen("matters")
    assert k.model.elder
    k.tap("返回首页")
    k.wait_screen("start")
    assert not k.model.elder
    assert _px(_named(k, QLabel, "title")) == normal
    assert k.window.elder_button.text() == "长者模式"


def test_elder_mode_resets_with_the_idle_timeout(kiosk: KioskRig) -> None:
    clock = FakeClock()
    k = kiosk.start(clock=clock, idle=60)
    normal = _px(_named(k, QLabel, "title"))
    k.tap("长者模式")
    k.window.button("全部事项").click()
    k.wait_screen("matters")
    assert k.model.elder
    clock.advance(61)
    k.wait_screen("start", timeout=5)
    wait_for(k.qtbot, lambda: not k.model.elder, 5)
    assert _px(_named(k, QLabel, "title")) == normal


def _assert_not_clipped(k: KioskRig, text_part: str) -> None:
    labels = [w for w in k.window.current_page().findChildren(QLabel)
              if text_part in w.text() and w.isVisibleTo(k.window)]
    assert labels, f"no label with {text_part!r}"
    lab = labels[0]
    k.qtbot.wait(50)
    assert lab.hasHeightForWidth()
    needed = lab.heightForWidth(lab.width())
    assert lab.height() >= needed, (lab.height(), needed, lab.width())
    # and the text laid out at that width fits inside the label's rectangle
    rect = lab.fontMetrics().boundingRect(lab.contentsRect(), int(lab.alignment()) | 0x1000, lab.text())
    assert rect.height() <= lab.contentsRect().height() + 1, (rect, lab.contentsRect())


def _to_identify_with_priority(k: KioskRig, group: str) -> None:
    k.tap("老年人/特殊群体")
    k.tap(group)
    k.wait_screen("matters")
    k.window.button("居民身份证申领、换领、补领").click()  # may be below the fold (长者模式): scrolled to
    k.wait_screen("question")
    k.tap("第一次办身份证")
    k.tap("取号")
    k.wait_screen("identify")


def test_green_channel_note_on_the_id_screen_is_never_clipped(kiosk: KioskRig) -> None:
    k = kiosk.start()
    _to_identify_with_priority(k, "现役军人、退役军人及优抚对象")  # the longest group name of the sample hall
    _assert_not_clipped(k, "绿色通道：现役军人")
    k.tap("长者模式")
    _assert_not_clipped(k, "绿色通道：现役军人")


def test_elder_consent_words_stay_in_view_under_the_longest_green_channel_note(kiosk: KioskRig) -> None:
    """长者模式 with the sample hall's notifier and a two-line green-channel note: 确定取号 and the consent's
    words (what is sent, how long kept, that it may be declined) are read without scrolling."""
    from launcher.scenes.kiosk import _identify_priority  # the screenshot scene's own path: the longest
    # group name and a matter whose name takes two lines, the ID typed and the phone field open

    k = kiosk.start()
    assert k.model.catalog is not None and k.model.catalog.has_notifier
    wait_for(k.qtbot, _identify_priority(k.model, k.controller, kiosk.hall))
    k.model.set_elder(True)
    k.wait_screen("identify")
    k.qtbot.wait(50)
    page = k.window.current_page()
    assert page.area is not None
    viewport = page.area.viewport()
    ok = k.window.button("确定取号")
    assert ok.mapTo(viewport, ok.rect().bottomLeft()).y() <= viewport.height()
    words = [w for w in page.findChildren(QLabel) if "不同意" in w.text() and "删除" in w.text()]
    assert len(words) == 1, [w.text() for w in words]
    end = words[0].mapTo(viewport, words[0].rect().bottomLeft()).y()
    assert end <= viewport.height(), ("the consent's words are cut off", end, viewport.height())


def test_green_channel_note_fits_in_elder_mode_from_the_elderly_group(kiosk: KioskRig) -> None:
    k = kiosk.start()
    _to_identify_with_priority(k, "65周岁以上老年人")
    assert k.model.elder
    _assert_not_clipped(k, "绿色通道：65周岁以上老年人")


def test_landscape_start_shows_every_zone_above_the_fold(kiosk: KioskRig) -> None:
    """A hall with six zones: all zone buttons and 全部事项 visible without scrolling at 1920×1080."""
    from hub.publisher import catalog

    k = kiosk.start(size=(1920, 1080))
    data: dict[str, Any] = copy.deepcopy(catalog(kiosk.hall.hall))
    data["zones"] = [*data["zones"], {"id": "Z4", "name": "不动产登记专区"}, {"id": "Z5", "name": "企业开办专区"},
                     {"id": "Z6", "name": "社会保障与医疗保障专区"}]
    k.model.set_catalog(data)
    wait_for(k.qtbot, lambda: "社会保障与医疗保障专区" in _start_buttons(k))
    k.qtbot.wait(50)
    page = k.window.current_page()
    assert page.area is not None
    viewport = page.area.viewport()
    zones = [b for b in page.findChildren(QPushButton) if b.objectName() == "zone" and b.isVisibleTo(k.window)]
    assert len(zones) == 7
    for b in zones:
        bottom = b.mapTo(viewport, b.rect().bottomLeft()).y()
        assert bottom <= viewport.height(), (b.text(), bottom, viewport.height())
    assert k.window.width() == 1920 and k.window.height() == 1080


def test_id_digits_show_while_typed_on_screen(kiosk: KioskRig) -> None:
    k = kiosk.start()
    k.tap("居民身份证申领、换领、补领")
    k.tap("第一次办身份证")
    k.tap("取号")
    k.type_keys(SAMPLE_ID[:10])
    assert SAMPLE_ID[:10] in k.window.texts()
    k.type_keys(SAMPLE_ID[10:])
    assert "110105********002X" in k.window.texts()
    assert SAMPLE_ID not in " ".join(k.window.texts())


def _take(k: KioskRig) -> dict[str, Any]:
    k.tap("居民身份证申领、换领、补领")
    k.tap("第一次办身份证")
    k.tap("取号")
    k.type_keys(SAMPLE_ID)
    k.tap("确定取号")
    k.wait_screen("ticket")
    assert k.model.ticket is not None
    return k.model.ticket


def test_ticket_screen_and_slip_name_the_windows(kiosk: KioskRig) -> None:
    from tests.kiosk.conftest import slip_text

    k = kiosk.start()
    ticket = _take(k)
    assert "S01" in ticket["windows"]
    name = kiosk.hall.hall.windows["S01"].name
    shown = " ".join(k.window.texts())
    assert f"{name}（S01）" in shown
    wait_for(k.qtbot, lambda: ticket["number"] in slip_text(k.printed))
    assert f"{name}（S01）" in slip_text(k.printed).replace("\n", "")


def test_retake_of_a_waiting_ticket_says_so_in_words(kiosk: KioskRig) -> None:
    k = kiosk.start()
    number = _take(k)["number"]
    k.tap("完成")
    k.tap("过号取号")
    k.type_keys(number)
    k.tap("重新取号")
    k.wait_screen("notice")
    texts = k.window.texts()
    assert "该票号还在排队等候" in texts
    assert not any("waiting" in t or "retake" in t for t in texts), texts


def test_paper_out_shows_citizens_no_staff_instruction(kiosk: KioskRig) -> None:
    k = kiosk.start()
    k.controller.printer.set_simulated_state("out")
    k.controller.check_printer()
    k.wait_screen("paper_out")
    assert k.model.printer.message  # the printer said what staff must do …
    shown = " ".join(k.window.texts())
    assert k.model.printer.message not in shown  # … and the citizen does not read it
    assert "更换" not in shown
    assert "本机打印机暂停服务，工作人员已收到提醒。请到引导台取号，或先查看办事指南。" in shown


def _fits_sideways(k: KioskRig) -> None:
    page = k.window.current_page()
    assert page.area is not None
    need = page.area.widget().minimumSizeHint().width()
    assert need <= page.area.viewport().width(), (k.screen(), need, page.area.viewport().width())


def test_elder_screens_fit_the_width_and_the_id_screen_shows_its_confirm_button(kiosk: KioskRig) -> None:
    k = kiosk.start()
    k.tap("长者模式")
    _fits_sideways(k)
    k.tap("搜索事项")
    k.tap("Y")
    k.tap("B")
    _fits_sideways(k)
    k.tap("返回首页")
    _to_identify_with_priority(k, "65周岁以上老年人")
    assert k.model.elder
    _fits_sideways(k)
    k.qtbot.wait(50)
    ok = k.window.button("确定取号")
    page = k.window.current_page()
    assert page.area is not None
    bottom = ok.mapTo(page.area.viewport(), ok.rect().bottomLeft()).y()
    assert bottom <= page.area.viewport().height(), (bottom, page.area.viewport().height())
