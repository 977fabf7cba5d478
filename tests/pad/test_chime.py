"""The guide console's chime is a real sound: a WAV of two tones, played (or the bell rung) per call."""

from __future__ import annotations

import struct
import wave
from pathlib import Path
from typing import Any

from pad.chime import RATE, TONES, Chime, chime_wav


def test_the_chime_is_two_audible_tones_without_clicks(tmp_path: Path) -> None:
    path = chime_wav(tmp_path / "chime.wav")
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        samples = struct.unpack(f"<{w.getnframes()}h", w.readframes(w.getnframes()))
    assert len(samples) == sum(int(RATE * s) for _, s in TONES)
    assert max(abs(x) for x in samples) > 0.5 * 32767  # loud enough to hear in a hall
    assert abs(samples[0]) < 500 and abs(samples[-1]) < 500  # faded in and out: no click
    first = samples[: int(RATE * TONES[0][1])]
    crossings = sum(1 for a, b in zip(first, first[1:], strict=False) if a < 0 <= b)
    assert abs(crossings / TONES[0][1] - TONES[0][0]) < 0.05 * TONES[0][0]  # the first tone's pitch
    assert chime_wav(path) == path  # made once


def test_the_console_sounds_the_chime_each_time(qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    host = QWidget()
    qtbot.addWidget(host)
    chime = Chime(host)
    assert Path(chime.effect.source().toLocalFile()).exists()
    chime()
    chime()  # offscreen there is no audio output: the bell rings instead; either way it counts
    assert chime.rung == 2
