"""One list of 差评 reasons (hallq/rating.py): the window evaluator and the phone page offer the same."""

from __future__ import annotations

import datetime as dt

from display.evaluator import Evaluator
from hallq.rating import BAD_REASONS
from hub import progress
from hub.workdays import WorkCalendar


def test_the_evaluator_and_the_phone_page_offer_the_same_reasons() -> None:
    day = dt.date(2026, 11, 23)
    terms = progress.rating_terms(WorkCalendar(), day.isoformat(), 5, 0, 0, day)
    assert terms is not None
    assert terms.reasons == list(Evaluator("S01", lambda: 0.0).reasons) == list(BAD_REASONS)
    assert "其他" in BAD_REASONS and len(set(BAD_REASONS)) == len(BAD_REASONS)
