"""Fakes at the hardware edge only (the audio device) and a clock tests can move."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


class RecordingPlayer:
    """The only fake: the audio device. Records what was played and when; ``finish`` ends it."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.played: list[tuple[Path, float, float]] = []  # path, duration, started at
        self.playing: Callable[[], None] | None = None
        self.overlaps = 0

    def play(self, path: Path, duration: float, done: Callable[[], None]) -> None:
        if self.playing is not None:
            self.overlaps += 1
        self.played.append((path, duration, self.clock()))
        self.playing = done

    def finish(self) -> None:
        done, self.playing = self.playing, None
        assert done is not None, "nothing is playing"
        done()


class FakeClock:
    def __init__(self, t: float = 1_790_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds
