"""One Chinese and one English word for every case state and action (办件), from one table in hallq/
(:data:`hallq.i18n.CASE_WORDS`): the hub's words, the pads' and the phone page's are that table."""

from __future__ import annotations

import ast
from pathlib import Path

from hallq import i18n
from hub import cases
from hub.cases import ACTION_WORDS, ACTIONS, DELIVERY_WORDS, ENGLISH, FORM_WORDS, KIND_WORDS, STATE_WORDS, CaseState

ROOT = Path(__file__).resolve().parents[2]


def test_every_state_and_action_has_exactly_one_chinese_and_one_english_word() -> None:
    table = i18n.CASE_WORDS
    assert set(table["state"]) == {s.value for s in CaseState}
    assert set(table["action"]) == set(ACTIONS)
    for kind, words in table.items():
        for code, pair in words.items():
            assert isinstance(pair, tuple) and len(pair) == 2, (kind, code)
            zh, en = pair
            assert zh and en and zh != en, (kind, code)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), (kind, code)
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in en), (kind, code)
    # within a kind, two codes never share a word (a screen could not tell them apart)
    for kind, words in table.items():
        assert len({zh for zh, _ in words.values()}) == len(words), kind
        assert len({en for _, en in words.values()}) == len(words), kind


def test_the_hub_takes_its_words_from_the_shared_table() -> None:
    table = i18n.CASE_WORDS
    assert {s.value: w for s, w in STATE_WORDS.items()} == {c: zh for c, (zh, _) in table["state"].items()}
    assert {c: zh for c, (zh, _) in table["action"].items()} == ACTION_WORDS
    assert {k.value: w for k, w in KIND_WORDS.items()} == {c: zh for c, (zh, _) in table["kind"].items()}
    assert {d.value: w for d, w in DELIVERY_WORDS.items()} == {c: zh for c, (zh, _) in table["delivery"].items()}
    assert {f.value: w for f, w in FORM_WORDS.items()} == {c: zh for c, (zh, _) in table["form"].items()}
    # the hub's English (tr(), log lines, reports) of every action is the action's one English word …
    for code, (zh, en) in table["action"].items():
        assert ENGLISH[zh] == en == i18n.CASE_WORDS_EN["action"][code], code
    # … and of every state too, but for 不予许可, a state and an action in Chinese: tr() gives the action's
    shared = {zh for zh, _ in table["action"].values()}
    for code, (zh, en) in table["state"].items():
        assert ENGLISH[zh] == (table["action"]["deny"][1] if zh in shared else en), code
    # hub/cases.py holds no English case word of its own: only the refusals' English is written there
    source = (ROOT / "hub" / "cases.py").read_text(encoding="utf-8")
    for _, en in (*table["state"].values(), *table["action"].values()):
        assert f'"{en}"' not in source, en
    assert cases.ENGLISH is ENGLISH


def test_a_device_in_english_words_each_action_as_the_hub_does() -> None:
    i18n.set_language("en")
    try:
        for code, (zh, en) in i18n.CASE_WORDS["action"].items():
            assert i18n.case_word("action", code, zh) == en == i18n.tr(zh), code
        assert i18n.case_word("state", "denied", "不予许可") == "Not permitted"
    finally:
        i18n.set_language("zh_CN")
    assert i18n.case_word("action", "accept", "受理") == "受理"
    # the pads' own catalogue gives these Chinese words the same English (pad/texts.py)
    pad: dict[str, set[str]] = {}
    for call in ast.walk(ast.parse((ROOT / "pad" / "texts.py").read_text(encoding="utf-8"))):
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "add_english":
            for k, v in ast.literal_eval(call.args[0]).items():
                pad.setdefault(k, set()).add(v)
    for zh, en in i18n.CASE_WORDS["action"].values():
        assert pad.get(zh, {en}) == {en}, zh
