"""The one device shell (hallq/qt/bridge.py) and the client's undoable subscriptions, on a real broker.

Kiosk, pad and display all send through ``QtHall.request``; these tests hold the shell to
what each of them relied on: answers come back on the GUI thread, an answer that arrives
after the shell closed goes nowhere, and closing takes the shell's listeners off the client.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from hallq import protocol as p
from hallq.client import HallClient, RequestError
from hallq.qt.bridge import QtHall

WAIT = 10_000
ROOT = Path(__file__).resolve().parent.parent


def test_on_returns_an_unsubscribe_that_stops_the_listener(embedded_broker: str) -> None:
    client = HallClient(embedded_broker, "h-unsub", "D-UNSUB", "display", subscriptions=("hallq/h-unsub/x/#",))
    client.start(wait=10)
    try:
        got: list[Any] = []
        arrived = threading.Event()

        def listener(topic: str, data: Any) -> None:
            got.append(data)
            arrived.set()

        unsubscribe = client.on("hallq/h-unsub/x/#", listener)
        client.publish("hallq/h-unsub/x/1", p.dump({"n": 1}))
        assert arrived.wait(5)
        unsubscribe()
        unsubscribe()  # twice is harmless
        sentinel = threading.Event()
        client.on("hallq/h-unsub/x/#", lambda topic, data: sentinel.set())
        client.publish("hallq/h-unsub/x/2", p.dump({"n": 2}))
        assert sentinel.wait(5)  # the second message did arrive …
        assert got == [{"n": 1}]  # … but not at the listener that unsubscribed

        raw: list[bytes] = []
        raw_arrived = threading.Event()
        undo_raw = client.on_raw("hallq/h-unsub/raw/#", lambda topic, payload: (raw.append(payload),
                                                                               raw_arrived.set()))
        client.publish("hallq/h-unsub/raw/1", b"one")
        assert raw_arrived.wait(5)
        undo_raw()
        later = threading.Event()
        client.on_raw("hallq/h-unsub/raw/#", lambda topic, payload: later.set())
        client.publish("hallq/h-unsub/raw/2", b"two")
        assert later.wait(5)
        assert raw == [b"one"]
    finally:
        client.stop()


def test_the_shell_answers_on_the_gui_thread_and_drops_late_answers(qtbot: Any, embedded_broker: str) -> None:
    client = HallClient(embedded_broker, "h-shell", "D-SHELL", "display")
    hall = QtHall(client)
    client.start(wait=10)
    gui = threading.get_ident()
    got: list[tuple[Any, Any, int]] = []
    hall.run(lambda: "first", lambda result, error: got.append((result, error, threading.get_ident())))
    qtbot.waitUntil(lambda: len(got) == 1, timeout=WAIT)
    assert got == [("first", None, gui)]

    # a request nobody answers (no hub on this hall) times out: the error reaches the screen
    errors: list[Any] = []
    hall.request("hall.snapshot", {}, lambda result, error: errors.append(error), timeout=0.2, retries=0)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=WAIT)
    assert isinstance(errors[0], RequestError)
    assert errors[0].code == "timeout"

    # an answer still on its way when the screen closes goes nowhere
    release = threading.Event()
    started = threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "late"

    hall.run(slow, lambda result, error: got.append((result, error, 0)))
    assert started.wait(5)
    listeners = len(client._listeners), len(client._status_listeners)
    hall.close()
    release.set()
    qtbot.wait(300)
    assert got == [("first", None, gui)]
    # closing took the shell's two listeners (every message, connection changes) off the client
    assert (len(client._listeners), len(client._status_listeners)) == (listeners[0] - 1, listeners[1] - 1)
    hall.close()  # twice is harmless


def test_devices_send_requests_only_through_the_shell() -> None:
    """One request worker: no device view or controller calls HallClient.request or builds a request
    pool itself (the screenshot scenes and demos drive the hall as other devices do, from the roof)."""
    roof = {"scenes.py", "demo.py"}
    offenders = []
    for package in ("kiosk", "pad", "display"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name in roof:
                continue
            text = path.read_text(encoding="utf-8")
            pools = text.count("ThreadPoolExecutor(") - text.count('thread_name_prefix="kiosk-print"')
            if "client.request(" in text or pools > 0:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
