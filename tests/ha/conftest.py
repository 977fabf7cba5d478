"""The standby's rigs: the fault rigs' brokers and hub subprocess (tests/faults/conftest.py), reused."""

from tests.faults.conftest import EmbeddedProc, MosquittoProc, hall_file, wait_until  # noqa: F401
