"""The real hall, the notifier's client and its record folder (tests/notify/test_notifier.py) for every test here
(the clock: tests/conftest.py's Monday 09:00)."""

from tests.notify.test_notifier import hall, run

__all__ = ["hall", "run"]
