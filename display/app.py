"""Wiring: MQTT (through :class:`~hallq.qt.bridge.QtHall`) → models → views, voice, evaluator commands.

Controllers hold no display logic of their own: they feed messages to the models, pass
taps to the evaluator, send the evaluator's commands through the one device shell
(:meth:`QtHall.request`, with a fixed request id, retried until the hub answers) and ask
the views to repaint.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

from display.evaluator import Evaluator, Submission
from display.hall_view import HallView
from display.model import HallBoard, WindowBoard
from display.voice import Announcer
from display.window_view import WindowView
from hallq import clock as hallclock
from hallq import protocol as p
from hallq.client import HallClient, RequestError
from hallq.messages import Call, EvaluateEvent
from hallq.mirror import Change
from hallq.qt.app import quiet_ffmpeg
from hallq.qt.bridge import QtHall

log = logging.getLogger("hallq.display")


def subscriptions(hall: str, kind: str, window: str = "") -> tuple[str, ...]:
    """What each kind of display listens to (all retained topics repaint it after a reconnect)."""
    t = p.Topics(hall)
    common = (t.catalog, t.presence("hub"))
    if kind == "hall":
        return (*common, t.calls, t.queues, t.event("call"))
    if kind == "window":
        return (*common, t.window(window), t.event("evaluate"))
    if kind == "led-window":
        return (*common, t.window(window))
    if kind == "led-hall":
        return (*common, t.calls, t.event("call"))
    raise ValueError(f"unknown display kind {kind!r}")


def make_client(url: str, hall: str, device: str, kind: str, window: str = "") -> HallClient:
    """A display's MQTT client (not started: wrap it in QtHall first, then start)."""
    return HallClient(url, hall, device, "display", subscriptions=subscriptions(hall, kind, window))


class QtPlayer(QObject):
    """Plays announcement WAVs with QtMultimedia; reports ``done`` at the end or on any error."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player = QMediaPlayer(self)
        self.output = QAudioOutput(self)
        self.player.setAudioOutput(self.output)
        quiet_ffmpeg()  # no "Input #0, wav …" on the terminal for every call, unless hallq -v
        self._done: Callable[[], None] | None = None
        self.player.mediaStatusChanged.connect(self._status)
        self.player.errorOccurred.connect(lambda *a: self._finish())

    def play(self, path: Path, duration: float, done: Callable[[], None]) -> None:
        self._done = done
        self.player.setSource(QUrl.fromLocalFile(str(path)))
        self.player.play()

    def _status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status in (QMediaPlayer.MediaStatus.EndOfMedia, QMediaPlayer.MediaStatus.InvalidMedia):
            self._finish()

    def _finish(self) -> None:
        done, self._done = self._done, None
        if done is not None:
            done()


def make_announcer(args: argparse.Namespace, settings: dict[str, Any]) -> Any:
    """Voice for a hall screen, or None (disabled, or espeak-ng missing without clips).

    Here, not in display/cli.py, so the CLI and the demo both import it without an import cycle.
    """
    if getattr(args, "no_voice", False):
        return None
    from display.phrases import VoiceSettings
    from display.tts import EspeakEngine, PhraseCache, default_engine

    voice = dict(settings.get("voice", {}))
    clips = voice.pop("clips", None) or getattr(args, "voice_clips", None)
    espeak = {k: voice.pop(k) for k in ("voice", "speed", "pitch") if k in voice}
    cache_dir = voice.pop("cache", None)
    if getattr(args, "repeat", None):
        voice["repeat"] = args.repeat
    vs = VoiceSettings.from_mapping(voice)
    engine = default_engine(Path(clips) if clips else None, **espeak)
    if clips is None and not EspeakEngine().available():
        log.error("espeak-ng is not installed and no clip folder is set: calls will not be spoken")
        return None
    cache = PhraseCache(engine, Path(cache_dir) if cache_dir else None)
    return Announcer(cache.get, QtPlayer(), hallclock.now, vs)


class HallScreen(QObject):
    """Hall TV controller: board + view (+ announcer when this screen speaks)."""

    def __init__(self, qhall: QtHall, board: HallBoard, view: HallView, announcer: Announcer | None = None,
                 *, tick_ms: int = 250) -> None:
        super().__init__(None)  # not a child of the view: Python owns both (no double deletes in GC cycles)
        self.qhall, self.board, self.view, self.announcer = qhall, board, view, announcer
        self._heard: Call | None = None  # the call the message being handled carries, typed by the board's mirror
        board.mirror.subscribe(self._on_change)
        if announcer is not None:
            announcer.accept = board.in_zone
        qhall.message.connect(self._on_message)
        qhall.connection_changed.connect(self._on_connection)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(tick_ms)

    def _on_change(self, change: Change) -> None:
        if change.kind == "event" and change.name == "call":
            self._heard = change.message

    def _on_message(self, topic: str, data: Any) -> None:
        self._heard = None
        if self.board.apply(topic, data):
            self.view.refresh()
        if self.announcer is not None and self._heard is not None and self.board.online:
            self.announcer.on_call(self._heard)

    def _on_connection(self, up: bool) -> None:
        if self.board.set_broker(up):
            self.view.refresh()

    def _tick(self) -> None:
        self.view.tick()
        if self.announcer is not None:
            self.announcer.tick()


class WindowScreen(QObject):
    """Window screen + evaluator controller."""

    def __init__(self, qhall: QtHall, board: WindowBoard, evaluator: Evaluator, view: WindowView, *,
                 tick_ms: int = 250, retry_ms: int = 2000, request_timeout: float = 3.0) -> None:
        super().__init__(None)  # not a child of the view: Python owns both (no double deletes in GC cycles)
        self.qhall, self.board, self.evaluator, self.view = qhall, board, evaluator, view
        self.retry_ms, self.request_timeout = retry_ms, request_timeout
        self.sent: list[Submission] = []  # every send (retries included), for tests and logs
        self._invite: EvaluateEvent | None = None  # event/evaluate in the message being handled
        board.mirror.subscribe(self._on_change)
        qhall.message.connect(self._on_message)
        qhall.connection_changed.connect(self._on_connection)
        view.rated.connect(lambda level: self._submit(evaluator.choose(level)))
        view.reason_chosen.connect(lambda reason: self._submit(evaluator.choose_reason(reason)))
        view.back.connect(self._back)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(tick_ms)

    def _on_change(self, change: Change) -> None:
        if change.kind == "event" and change.name == "evaluate":
            self._invite = change.message

    def _on_message(self, topic: str, data: Any) -> None:
        self._invite = None
        changed = self.board.apply(topic, data)
        if topic == self.qhall.topics.window(self.board.window) and self.board.online:
            changed = self.evaluator.on_window_state(self.board.state) or changed
        elif self._invite is not None:
            changed = self.evaluator.on_invite_event(self._invite) or changed
        if changed:
            self.view.refresh()

    def _on_connection(self, up: bool) -> None:
        if self.board.set_broker(up):
            self.view.refresh()

    def _back(self) -> None:
        self.evaluator.back()
        self.view.refresh()

    def _tick(self) -> None:
        before = self.evaluator.stage
        self._submit(self.evaluator.tick())
        if self.evaluator.stage is not before:
            self.view.refresh()
        else:
            self.view.tick()

    def _submit(self, sub: Submission | None) -> None:
        self.view.refresh()
        if sub is None:
            return
        self.sent.append(sub)
        self.qhall.request(sub.op, sub.args, lambda result, error: self._replied(sub, error),
                           request_id=sub.request_id, timeout=self.request_timeout, retries=1)

    def _replied(self, sub: Submission, error: RequestError | None) -> None:
        if error is not None and error.code == "internal":
            log.warning("evaluation send failed: %s", error.message)
        self._on_reply(sub, error is None, error.code if error else "")

    def _on_reply(self, sub: Submission, ok: bool, code: str) -> None:
        retry = self.evaluator.on_reply(sub, ok, code)
        if retry is not None:  # unknown outcome: the same request id again, so never twice at the hub
            QTimer.singleShot(self.retry_ms, lambda: self._retry(retry))
        self.view.refresh()

    def _retry(self, sub: Submission) -> None:
        if self.evaluator.outbox is sub:
            self._submit(sub)

    def close(self) -> None:
        """A reply after closing has no screen to go to: the shell drops it (and stops the client)."""
        self.qhall.close()
