"""Every word the phone page writes has its English (the page's own catalogue, web/texts.py)."""

from __future__ import annotations

import re
from pathlib import Path

from hallq import messages as m
from web import pages
from web.texts import ENGLISH, t

WEB = Path(__file__).resolve().parents[2] / "web"
LITERAL = re.compile(r'\bt\(\s*"([^"]+)"')
CJK = re.compile(r"[\u3400-\u9fff]")


def test_every_literal_text_has_english() -> None:
    found = {text for path in [*WEB.glob("*.py"), *WEB.glob("templates/*.html")]
             for text in LITERAL.findall(path.read_text(encoding="utf-8"))}
    assert len(found) > 40
    assert sorted(text for text in found if text not in ENGLISH) == []


def view(state: str, case: m.ProgressCase | None = None) -> m.ProgressView:
    levels = {"5": "非常满意", "4": "满意", "3": "基本满意", "2": "不满意", "1": "非常不满意"}
    return m.ProgressView("测试大厅", "Asia/Shanghai", "A001", "2026-11-23", state,
                          {"waiting": "等候中", "called": "已叫号", "passed": "已过号", "expired": "已过期作废",
                           "accepted": "已受理"}[state], "户口迁移", "", ["S01"], "S01", 2, 10, 20, 1_795_400_000.0,
                          1, 0, 3, case, m.ProgressRating(True, "2026-11-30", levels, ["其他"], 0))


def test_every_state_reads_in_english_but_the_halls_own_data() -> None:
    stages = [m.ProgressStage(k, label, None) for k, label in (("accepted", "受理"), ("transferred", "转递"),
                                                               ("review", "审查"), ("decided", "办结"),
                                                               ("ready", "待领取"), ("collected", "已领取"))]
    cases = [m.ProgressCase("C1", state, label, "承诺件", "2026-12-14", stages, [], "2026-12-07", "S01", delivery,
                            {"pickup": "现场领取", "locker": "自助柜", "mail": "邮寄"}[delivery], [], "promised")
             for state, label, delivery in (("awaiting_correction", "待补正", "pickup"), ("ready", "待领取", "locker"),
                                            ("in_review", "已签收（审查中）", "mail"), ("posted", "已邮寄", "mail"))]
    shown = [pages.page(view(s), "en", 1_795_400_000.0) for s in ("waiting", "called", "passed", "expired")]
    shown += [pages.page(view("accepted", c), "en", 1_795_400_000.0) for c in cases]
    data = {"测试大厅", "户口迁移", "其他"}
    for page in shown:
        texts = [*page["notice"].values(), *(label for label, _ in page["rows"]), page["updated"],
                 *(v for label, v in page["rows"] if label in ("Status", "People ahead", "Estimated wait"))]
        if page["case"]:
            c = page["case"]
            texts += [c["state"], c["kind"], c["delivery"], c["pickup"], c["correction"],
                      *(s["label"] for s in c["stages"]), *(s["date"] for s in c["stages"])]
        texts += [page["rating"]["intro"], *(label for _, label in page["rating"]["levels"])]
        # a kiosk button's Chinese name may stand in brackets beside its English, as on the kiosk: (过号取号)
        chinese = [x for x in texts if CJK.search(re.sub(r"\([^)]*\)", "", x)) and x not in data]
        assert chinese == [], chinese
    assert t("约 {lo}-{hi} 分钟", "zh", lo=10, hi=20) == "约 10-20 分钟"


def test_case_words_are_the_shared_ones_not_a_copy() -> None:
    """One English per case word on the phone, the pad and in the hub: the page takes the case's state, kind,
    delivery and its stages that are case words by their codes from hallq.i18n.CASE_WORDS_EN (issue 15)."""
    from hallq import i18n
    from hub.cases import ACTION_WORDS, DELIVERY_WORDS, KIND_WORDS, STATE_WORDS

    shared = i18n.CASE_WORDS_EN
    words = {**{w: shared["state"][s.value] for s, w in STATE_WORDS.items()},
             **{w: shared["kind"][k.value] for k, w in KIND_WORDS.items()},
             **{w: shared["delivery"][d.value] for d, w in DELIVERY_WORDS.items()},
             **{w: shared["action"][a] for a, w in ACTION_WORDS.items()}}
    # the page's catalogue holds no case word of its own (已受理 is also the ticket's outcome: the same English)
    assert {w: ENGLISH[w] for w in words if w in ENGLISH} == {"已受理": shared["state"]["accepted"]}

    stages = [m.ProgressStage(k, label, None) for k, label in (("accepted", "受理"), ("transferred", "转递"),
                                                               ("review", "审查"), ("decided", "不予许可"),
                                                               ("ready", "待领取"), ("collected", "已领取"))]
    for state, label, kind, kind_label, delivery in (("in_review", "已签收（审查中）", "promised", "承诺件", "mail"),
                                                     ("denied", "不予许可", "immediate", "即办件", "locker"),
                                                     ("ready", "待领取", "promised", "承诺件", "pickup")):
        c = m.ProgressCase("C1", state, label, kind_label, "2026-12-14", stages, [], None, "S01", delivery,
                           DELIVERY_WORDS[next(d for d in DELIVERY_WORDS if d.value == delivery)], [], kind)
        en, zh = pages.page(view("accepted", c), "en", 1_795_400_000.0), pages.page(view("accepted", c), "zh", 0.0)
        assert en["case"]["state"] == shared["state"][state] and zh["case"]["state"] == label
        assert en["case"]["kind"] == shared["kind"][kind] and zh["case"]["kind"] == kind_label
        assert en["case"]["delivery"] == shared["delivery"][delivery]
        assert [s["label"] for s in en["case"]["stages"]] == [
            shared["state"]["accepted"], ENGLISH["转递"], ENGLISH["审查"], shared["state"]["denied"],
            shared["state"]["ready"], shared["state"]["collected"]]
        assert [s["label"] for s in zh["case"]["stages"]] == ["受理", "转递", "审查", "不予许可", "待领取", "已领取"]
        i18n.set_language("en")
        try:  # the pad words the same case the same way (hallq.i18n.case_word)
            assert en["case"]["state"] == i18n.case_word("state", state, label)
            assert en["case"]["stages"][0]["label"] == i18n.case_word("state", "accepted", "受理")
        finally:
            i18n.set_language("zh_CN")
    decided = m.ProgressStage("decided", "办结", 1_795_400_000.0)
    assert pages.case(m.ProgressCase("C1", "approved", "已办结", "承诺件", "2026-12-14", [decided], [], None, "S01",
                                     "pickup", "现场领取", []), "Asia/Shanghai", "en")["stages"][0]["label"] == \
        shared["state"]["approved"]
