"""The voice of the hall: what to say for a call, how it sounds, and when it is spoken.

Three layers, each testable on its own:

1. **Phrases** (pure, :mod:`display.phrases`). A call (the typed :class:`hallq.messages.Call` of
   ``event/call``) fills a configurable template and is cut into words with their pinyin.
2. **Engines** (:mod:`display.tts`) render a phrase to PCM: espeak-ng offline, recorded clips, or a
   chain of both; a :class:`~display.tts.PhraseCache` keeps every rendered phrase on disk.
3. **The announcer** (:class:`Announcer`, here) is a queue with an injected clock and player:
   a new call waits for the one being spoken (never cuts it off), each call is spoken
   once however often MQTT delivers it, recalls are spoken as recalls, and a player that
   never reports "finished" cannot stall the queue (a watchdog moves on).
"""

from __future__ import annotations

import functools
import logging
import tempfile
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from display.audio import Audio, AudioError
from display.phrases import Phrase, VoiceSettings, call_phrase
from display.tts import EngineError, compose
from hallq.messages import Call

log = logging.getLogger("hallq.display.voice")


class Player(Protocol):
    """The audio device edge: play a WAV file, call ``done`` once when it ends (or fails)."""

    def play(self, path: Path, duration: float, done: Callable[[], None]) -> None: ...


@dataclass
class Announcement:
    key: tuple[Any, ...]
    phrase: Phrase
    call: Call
    queued_at: float
    started_at: float | None = None
    audio: Audio | None = None
    path: Path | None = None


@dataclass
class Announcer:
    """The announcement queue: one at a time, in arrival order, each call once.

    ``clock`` gives wall-clock seconds (calls carry the hub's ``at``); ``render`` turns a
    phrase into audio (normally :meth:`PhraseCache.get`). Drive it with :meth:`on_call`
    for each ``event/call`` (typed by the screen's mirror) and :meth:`tick` about every
    0.2 s; the player's ``done``
    callback starts the next announcement.
    """

    render: Callable[[Phrase], Audio]
    player: Player
    clock: Callable[[], float]
    settings: VoiceSettings = field(default_factory=VoiceSettings)
    out_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hallq-say-")))
    accept: Callable[[Call], bool] = lambda call: True  # e.g. this screen's zone only
    queue: deque[Announcement] = field(default_factory=deque)
    current: Announcement | None = None
    spoken: list[Announcement] = field(default_factory=list)  # history, newest last (bounded)
    _seen: OrderedDict[tuple[Any, ...], None] = field(default_factory=OrderedDict)
    _deadline: float = 0.0
    _counter: int = 0

    @staticmethod
    def key_of(call: Call) -> tuple[Any, ...]:
        """Same ticket + window + recall count + time = the same call delivered twice."""
        return (call.ticket or call.number, call.window, call.recall, call.at)

    def on_call(self, call: Call) -> bool:
        """Queue a call; False if it is a duplicate, too old, or not for this screen."""
        if not call.number or not call.window or not self.accept(call):
            return False
        key = self.key_of(call)
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > 500:
            self._seen.popitem(last=False)
        now = self.clock()
        if now - call.at > self.settings.max_age_s:
            log.info("not speaking %s: %.0f s old", call.number, now - call.at)
            return False
        self.queue.append(Announcement(key, call_phrase(call, self.settings), call, now))
        self._pump()
        return True

    def tick(self) -> None:
        """Watchdog: a player that never said "done" is given up on after the audio's length."""
        if self.current is not None and self.clock() >= self._deadline:
            log.warning("player did not finish %r in time; moving on", self.current.phrase.text)
            self._finish(self.current)
        self._pump()

    @property
    def busy(self) -> bool:
        return self.current is not None

    def _pump(self) -> None:
        while self.current is None and self.queue:
            item = self.queue.popleft()
            try:
                audio = compose(self.render(item.phrase), self.settings)
            except (EngineError, AudioError) as exc:
                log.error("cannot say %r: %s", item.phrase.text, exc)
                continue
            self._counter += 1
            item.audio = audio
            item.path = audio.save(self.out_dir / f"say-{self._counter % 8}.wav")
            item.started_at = self.clock()
            self.current = item
            self._deadline = item.started_at + audio.duration + self.settings.watchdog_s
            self.spoken = [*self.spoken[-99:], item]
            self.player.play(item.path, audio.duration, functools.partial(self._done, item))

    def _done(self, item: Announcement) -> None:
        if item is self.current:  # a late "done" for an item the watchdog dropped is ignored
            self._finish(item)
            self._pump()

    def _finish(self, item: Announcement) -> None:
        if item is self.current:
            self.current = None
