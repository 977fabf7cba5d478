"""The guide console's chime for a new or escalated 呼叫后台: a short two-tone sound.

The sound is made here (a few kilobytes of 16-bit PCM written once to the temp folder), so no
audio file ships and no display code is borrowed. It plays through QtMultimedia's
``QSoundEffect``; on a PC with no audio output (or where playing fails) it falls back to the
system bell, so the call is never lost silently in code — only, at worst, on a mute machine.
"""

from __future__ import annotations

import math
import struct
import tempfile
import wave
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
from PySide6.QtWidgets import QApplication

RATE = 22050
TONES = ((880.0, 0.16), (660.0, 0.28))  # a falling "ding-dong", loud enough over a hall's noise


def chime_wav(path: Path | None = None) -> Path:
    """Write the chime as a mono 16-bit WAV (once) and return its path."""
    path = path or Path(tempfile.gettempdir()) / "hallq-guide-chime.wav"
    if path.exists() and path.stat().st_size > 44:
        return path
    frames = bytearray()
    for freq, seconds in TONES:
        n = int(RATE * seconds)
        for i in range(n):
            fade = min(1.0, i / (0.01 * RATE), (n - i) / (0.05 * RATE))  # no clicks at either end
            frames += struct.pack("<h", int(0.6 * 32767 * fade * math.sin(2 * math.pi * freq * i / RATE)))
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    tmp.replace(path)
    return path


class Chime(QObject):
    """Callable: plays the chime (or rings the bell where there is no audio output)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.effect = QSoundEffect(self)
        self.effect.setSource(QUrl.fromLocalFile(str(chime_wav())))
        self.rung = 0  # how many times it sounded (for tests and the console's own record)

    def __call__(self) -> None:
        self.rung += 1
        if QMediaDevices.audioOutputs() and self.effect.status() is not QSoundEffect.Status.Error:
            self.effect.play()
        else:
            QApplication.beep()
