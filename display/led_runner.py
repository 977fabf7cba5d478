"""An LED bar as a hall device, without Qt: MQTT messages → board → text → driver.

Window-top bar (``window`` set): ``A001 请到S01`` / ``暂停服务``. Hall strip (no window):
the last calls of its zone, scrolling. Listeners run on paho's thread; the driver only
queues frames, so a dead serial port never holds up MQTT.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from display.led.link import LedDriver
from display.model import HallBoard, WindowBoard, led_hall_text, led_window_text
from hallq import clock as hallclock
from hallq.client import HallClient


class LedRunner:
    def __init__(self, client: HallClient, driver: LedDriver, *, window: str = "", zone: str = "",
                 clock: Callable[[], float] = hallclock.now, calls: int = 5) -> None:
        self.client, self.driver, self.window, self.calls = client, driver, window, calls
        base = client.topics.base
        self.board: WindowBoard | HallBoard = (WindowBoard(base, window, clock) if window
                                               else HallBoard(base, zone, clock=clock))
        self._lock = threading.Lock()
        client.on("#", self._on_message)
        client.on_connection(self._on_connection)

    def text(self) -> str:
        if isinstance(self.board, WindowBoard):
            return led_window_text(self.board)
        return led_hall_text(self.board, self.calls)

    def _on_message(self, topic: str, data: Any) -> None:
        with self._lock:
            if self.board.apply(topic, data):
                self.driver.show(self.text())

    def _on_connection(self, up: bool) -> None:
        with self._lock:
            self.board.set_broker(up)
            self.driver.show(self.text())

    def start(self) -> LedRunner:
        self.driver.show(self.text())
        self.driver.start()
        self.client.start(wait=None)
        return self

    def stop(self) -> None:
        self.client.stop()
        self.driver.stop()
