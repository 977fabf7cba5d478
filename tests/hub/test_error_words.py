"""Every refusal a person can read is Chinese words: no state name, op name or code reaches a screen.

The hub builds its messages from hallq.protocol's word tables; devices show
``person_message(code, message)``, which falls back to the code's words when a message still
carries ASCII words. Issue 13 §5: "当前状态为 waiting，不能执行 retake" reached a citizen.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

import hub.case_desk
import hub.cases
import hub.core
import hub.rules
import hub.service
from hallq import protocol as p
from hub.core import TRANSITIONS, WINDOW_TRANSITIONS, DomainError, HallCore, TicketState, WindowState
from tests.hub.hub_helpers import FakeClock
from tests.hub.test_core import REFUSALS, Act, Setup, core  # noqa: F401 (the core fixture)

ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
TICKET_ACTIONS = sorted({a for _, a in TRANSITIONS})
WINDOW_ACTIONS = sorted({a for _, a in WINDOW_TRANSITIONS})
ILLEGAL_TICKET_MOVES = [(s, a) for s in TicketState for a in TICKET_ACTIONS if (s, a) not in TRANSITIONS]
ILLEGAL_WINDOW_MOVES = [(s, a) for s in WindowState for a in WINDOW_ACTIONS if (s, a) not in WINDOW_TRANSITIONS]


def no_ascii_words(text: str) -> None:
    assert text and not ASCII_WORD.search(text), f"ASCII words reach a person: {text!r}"


@pytest.mark.parametrize(("state", "action"), ILLEGAL_TICKET_MOVES)
def test_every_illegal_ticket_move_is_refused_in_chinese_words(state: TicketState, action: str) -> None:
    with pytest.raises(DomainError) as exc:
        HallCore._move(SimpleNamespace(state=state, number="A002"), action)  # type: ignore[arg-type]
    assert exc.value.code == "illegal_state"
    no_ascii_words(exc.value.message)
    assert p.TICKET_STATE_WORDS[state.value] in exc.value.message
    assert p.ACTION_WORDS[action] in exc.value.message
    assert p.person_message(exc.value.code, exc.value.message) == exc.value.message


@pytest.mark.parametrize(("state", "action"), ILLEGAL_WINDOW_MOVES)
def test_every_illegal_window_move_is_refused_in_chinese_words(state: WindowState, action: str) -> None:
    with pytest.raises(DomainError) as exc:
        HallCore._wmove(SimpleNamespace(state=state, id="S01"), action)  # type: ignore[arg-type]
    assert exc.value.code == "window_state"
    no_ascii_words(exc.value.message)
    assert p.WINDOW_STATE_WORDS[state.value] in exc.value.message
    assert p.ACTION_WORDS[action] in exc.value.message


def test_retake_of_a_waiting_ticket_says_so_in_words() -> None:
    with pytest.raises(DomainError) as exc:
        HallCore._move(SimpleNamespace(state=TicketState.WAITING, number="A002"), "retake")  # type: ignore[arg-type]
    assert exc.value.message == "票号 A002 正在等候，不能过号取号"


@pytest.mark.parametrize(("code", "setup", "act"), REFUSALS,
                         ids=[f"{i:02d}-{code}" for i, (code, _, _) in enumerate(REFUSALS)])
def test_every_core_refusal_reaches_people_as_chinese_words(core: HallCore, clock: FakeClock, code: str,
                                                           setup: Setup, act: Act) -> None:
    setup(core, clock)
    with pytest.raises(DomainError) as exc:
        act(core, clock.now)
    shown = p.person_message(exc.value.code, exc.value.message)
    no_ascii_words(shown)


def _codes_in(*modules: object) -> set[str]:
    out: set[str] = set()
    paths = [Path(str(getattr(m, "__file__", ""))) for m in modules]
    for path in [q for p in paths for q in (p.parent.glob("*.py") if p.name == "__init__.py" else [p])]:
        src = path.read_text(encoding="utf-8")
        out |= set(re.findall(r'(?:DomainError|ProtocolError|CaseError)\("([a-z_]+)"', src))
        out |= set(re.findall(r'code="([a-z_]+)"', src))
    return out


def test_every_code_has_words_and_an_english_message_never_reaches_a_person() -> None:
    codes = (set(p.ERROR_CODES) | _codes_in(hub.core, hub.rules, hub.service, hub.cases, hub.case_desk, p)
             | set(p.CASE_ERROR_WORDS) | {"timeout"})  # the case core's codes are partly computed
    assert codes - set(p.ERROR_WORDS) == set()
    for code in sorted(codes):
        no_ascii_words(p.ERROR_WORDS[code])
        for message in ("", "kiosk 设备不能执行 ticket.call_next", f"{code}: payload is not UTF-8 JSON",
                        "票号 A002 当前状态为 waiting，不能执行 retake"):
            shown = p.person_message(code, message)
            no_ascii_words(shown)
    assert p.person_message("bogus_code", "bogus") == p.GENERIC_ERROR_WORDS
    # the hub's own Chinese text, with ids like A001, S01, 2026-11-23-A001, is kept as it is
    kept = "没有票号 2026-11-23-A001（窗口 S01）"
    assert p.person_message("unknown_ticket", kept) == kept


def test_the_tables_name_every_state_and_action() -> None:
    assert {s.value for s in TicketState} == set(p.TICKET_STATE_WORDS)
    assert {s.value for s in WindowState} == set(p.WINDOW_STATE_WORDS)
    assert set(TICKET_ACTIONS) | set(WINDOW_ACTIONS) <= set(p.ACTION_WORDS)
    assert len(ILLEGAL_TICKET_MOVES) > 60
