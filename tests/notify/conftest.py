"""The real hall, the notifier's client and its record folder (tests/notify/test_notifier.py) for every test here."""

from tests.notify.test_notifier import clock, hall, run

__all__ = ["clock", "hall", "run"]
