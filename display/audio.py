"""PCM audio as plain data: read/write WAV, join clips, make a chime, measure loudness.

Only the standard library (``wave``, ``array``, ``math``): announcements are assembled
here, before any audio device is involved, so tests can check the real bytes the hall
would hear (duration, silence, order) without a sound card.
"""

from __future__ import annotations

import array
import io
import math
import sys
import wave
from dataclasses import dataclass
from pathlib import Path


class AudioError(ValueError):
    """Clips that cannot be joined (different formats) or a file that is not a PCM WAV."""


@dataclass(frozen=True)
class Audio:
    """Mono or multi-channel PCM; ``frames`` is the raw little-endian sample data."""

    rate: int
    frames: bytes
    channels: int = 1
    width: int = 2  # bytes per sample

    @property
    def duration(self) -> float:
        return len(self.frames) / (self.rate * self.channels * self.width)

    def rms(self) -> float:
        """Root-mean-square level of 16-bit audio, 0..32767 (0: pure silence)."""
        if self.width != 2 or not self.frames:
            return 0.0
        samples = _samples(self.frames)
        return math.sqrt(sum(s * s for s in samples) / len(samples))

    def to_wav(self) -> bytes:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(self.channels)
            w.setsampwidth(self.width)
            w.setframerate(self.rate)
            w.writeframes(self.frames)
        return buf.getvalue()

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(self.to_wav())
        tmp.replace(path)  # a half-written file is never played or cached
        return path

    def same_format(self, other: Audio) -> bool:
        return (self.rate, self.channels, self.width) == (other.rate, other.channels, other.width)


def read_wav(source: Path | bytes) -> Audio:
    try:
        with wave.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), "rb") as w:
            return Audio(w.getframerate(), w.readframes(w.getnframes()), w.getnchannels(), w.getsampwidth())
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{source if isinstance(source, Path) else 'data'}: not a PCM WAV file ({exc})") from None


def silence(seconds: float, like: Audio) -> Audio:
    n = int(seconds * like.rate) * like.channels * like.width
    return Audio(like.rate, bytes(n), like.channels, like.width)


def join(parts: list[Audio]) -> Audio:
    """Concatenate clips of one format (clip halls must record all clips alike)."""
    if not parts:
        raise AudioError("nothing to join")
    first = parts[0]
    for part in parts[1:]:
        if not part.same_format(first):
            raise AudioError(f"clips differ in format: {first.rate} Hz/{first.channels} ch/{first.width * 8} bit "
                             f"vs {part.rate} Hz/{part.channels} ch/{part.width * 8} bit")
    return Audio(first.rate, b"".join(p.frames for p in parts), first.channels, first.width)


def chime(rate: int = 22050, volume: float = 0.35) -> Audio:
    """A two-note "ding-dong" (E6 then C6) with a soft decay, mono 16-bit, about 1.1 s."""
    out = array.array("h")
    for freq, length in ((1318.5, 0.45), (1046.5, 0.65)):
        n = int(rate * length)
        for i in range(n):
            t = i / rate
            envelope = min(1.0, i / (0.01 * rate)) * math.exp(-3.2 * t)
            out.append(int(32767 * volume * envelope * math.sin(2 * math.pi * freq * t)))
    return Audio(rate, _bytes(out))


def resample_mono16(audio: Audio, rate: int) -> Audio:
    """Nearest-sample rate change for 16-bit mono (good enough for a chime)."""
    if audio.rate == rate:
        return audio
    if audio.channels != 1 or audio.width != 2:
        raise AudioError("only 16-bit mono audio can be resampled")
    src = _samples(audio.frames)
    n = int(len(src) * rate / audio.rate)
    out = array.array("h", (src[min(len(src) - 1, int(i * audio.rate / rate))] for i in range(n)))
    return Audio(rate, _bytes(out))


def _samples(frames: bytes) -> array.array[int]:
    a = array.array("h")
    a.frombytes(frames[: len(frames) - len(frames) % 2])
    if sys.byteorder == "big":  # pragma: no cover - WAV is little-endian
        a.byteswap()
    return a


def _bytes(a: array.array[int]) -> bytes:
    if sys.byteorder == "big":  # pragma: no cover
        a = array.array("h", a)
        a.byteswap()
    return a.tobytes()
