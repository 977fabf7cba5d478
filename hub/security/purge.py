"""``hallq purge``: blank personal fields of days older than the retention, keep the statistics.

PIPL asks to keep personal data no longer than needed. What the hall keeps per ticket is
already reduced (masked name, masked ID number, keyed hash, masked phone); after the
retention (``[policy] retention_days``, or ``--older-than-days``) even those go:

* ``tickets``: ``applicant_masked``, ``id_masked``, ``id_hash``, ``phone_masked`` → ``''``;
* ``appointments``: ``name_masked``, ``id_masked``, ``id_hash``, ``phone_masked`` → ``''``;
* ``events``: the same keys inside each event's JSON ``data`` (only where present), and a case's
  ``collector_masked``; a case's events only once the case closed before the cut-off;
* ``requests``: stored replies (they quote the ticket) older than the cut-off are deleted;
  they exist for retries within minutes;
* ``case_addresses``: the sealed postal address of a case (邮寄) whose result reached the
  applicant before the cut-off is deleted (an address is kept only while it may be needed);
* ``notify_phones``: a consenting citizen's sealed phone number of an older day is deleted, unless the
  ticket's case is still open or closed after the cut-off (docs/notify.md); the notifiers' claims
  (``notify_claims``: which moment, which notifier, no number) of those tickets go with it.

Counts, times, queues, windows, outcomes and evaluations stay, so every report still works.
One transaction; ``secure_delete`` so freed pages are zeroed, then the WAL is checkpointed
and truncated so the old values do not linger in ``-wal``. The SQL is the store's
(:mod:`hub.store_purge`); this module decides what is personal and where the cut-off lies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from hallq import clock as hallclock
from hub.store_purge import PersonalFields, blank_personal

TICKET_FIELDS = ("applicant_masked", "id_masked", "id_hash", "phone_masked")
APPOINTMENT_FIELDS = ("name_masked", "id_masked", "id_hash", "phone_masked")
EVENT_FIELDS = ("applicant_masked", "name_masked", "id_masked", "id_hash", "phone_masked", "collector_masked")


@dataclass(frozen=True)
class PurgeResult:
    cutoff: str  # days before this one were purged
    tickets: int
    appointments: int
    events: int
    requests: int
    addresses: int = 0
    phones: int = 0  # consenting citizens' sealed numbers (docs/notify.md)


def cutoff_day(older_than_days: int, today: dt.date | None = None) -> str:
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    return ((today or hallclock.today()) - dt.timedelta(days=older_than_days)).isoformat()


def purge(db: str | Path, older_than_days: int, *, today: dt.date | None = None, vacuum: bool = False) -> PurgeResult:
    """Blank personal fields of every day before ``today - older_than_days`` (0: all days before today)."""
    cut = cutoff_day(older_than_days, today)
    # stored replies: a day's margin covers every time zone, so UTC midnight of the cut-off day will do
    cut_ts = dt.datetime.fromisoformat(cut).replace(tzinfo=dt.UTC).timestamp() - 86400
    fields = PersonalFields(TICKET_FIELDS, APPOINTMENT_FIELDS, EVENT_FIELDS)
    return PurgeResult(cut, *blank_personal(db, fields, cut, cut_ts, vacuum=vacuum))
