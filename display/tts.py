"""Text to speech for the hall's calls: engines that render a :class:`~display.phrases.Phrase` to PCM.

:class:`EspeakEngine` (offline, the default), :class:`ClipEngine` (a folder of recorded clips,
concatenated), :class:`ChainEngine` (the first engine that can say it); a hall can plug in a better
TTS by implementing :class:`Engine`. :class:`PhraseCache` keeps every rendered phrase on disk, and
:func:`compose` makes one announcement of it (chime, repeats). The second of the voice's three
layers (:mod:`display.voice`).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

from display.audio import Audio, AudioError, chime, join, read_wav, resample_mono16, silence
from display.phrases import PAUSES, Phrase, VoiceSettings, Word

log = logging.getLogger("hallq.display.voice")


class EngineError(RuntimeError):
    """An engine cannot say this phrase (missing binary, missing clip, TTS failure)."""


class Engine(Protocol):
    name: str

    def key(self) -> str:
        """Everything that changes the sound (voice, speed, clip folder): part of the cache key."""
        ...

    def render(self, phrase: Phrase) -> Audio: ...


class EspeakEngine:
    """espeak-ng, offline. Default voice ``cmn-latn-pinyin`` reading our pinyin text."""

    name = "espeak-ng"

    def __init__(self, voice: str = "cmn-latn-pinyin", speed: int = 135, pitch: int = 50,
                 binary: str = "espeak-ng", timeout: float = 10.0) -> None:
        self.voice, self.speed, self.pitch, self.binary, self.timeout = voice, speed, pitch, binary, timeout

    def available(self) -> bool:
        return shutil.which(self.binary) is not None

    def key(self) -> str:
        return f"espeak-ng:{self.voice}:{self.speed}:{self.pitch}"

    def text_for(self, phrase: Phrase) -> str:
        return phrase.pinyin if "pinyin" in self.voice else phrase.spoken

    def render(self, phrase: Phrase) -> Audio:
        if not self.available():
            raise EngineError(f"{self.binary} not found: install espeak-ng (apt install espeak-ng)")
        with tempfile.TemporaryDirectory(prefix="hallq-tts-") as tmp:
            out = Path(tmp) / "phrase.wav"
            cmd = [self.binary, "-v", self.voice, "-s", str(self.speed), "-p", str(self.pitch), "-w", str(out),
                   "--", self.text_for(phrase)]
            try:
                result = subprocess.run(cmd, capture_output=True, timeout=self.timeout, check=False)
            except subprocess.TimeoutExpired:
                raise EngineError(f"{self.binary} took over {self.timeout}s") from None
            if result.returncode != 0 or not out.exists():
                raise EngineError(f"{self.binary} failed ({result.returncode}): "
                                  f"{result.stderr.decode(errors='replace').strip()}")
            return read_wav(out)


class ClipEngine:
    """A folder of recorded clips, one per word: ``请.wav A.wav 零.wav 窗口.wav 号.wav …``.

    Clips are concatenated in word order; a comma becomes ``pause_s`` of silence. Every
    clip must share one format (rate, channels, bits). A missing clip raises
    :class:`EngineError` naming all missing words, so a hall knows what to record.
    """

    name = "clips"

    def __init__(self, folder: Path, pause_s: float = 0.25) -> None:
        self.folder = Path(folder)
        self.pause_s = pause_s
        self._clips: dict[str, Audio] = {}

    def key(self) -> str:
        stamp = max((p.stat().st_mtime_ns for p in self.folder.glob("*.wav")), default=0)
        return f"clips:{self.folder.resolve()}:{stamp}:{self.pause_s}"

    def clip(self, word: Word) -> Audio | None:
        if word.text not in self._clips:
            path = self.folder / f"{word.text}.wav"
            if not path.exists() and word.pinyin:
                path = self.folder / f"{word.pinyin.replace(' ', '_')}.wav"
            if not path.exists():
                return None
            self._clips[word.text] = read_wav(path)
        return self._clips[word.text]

    def render(self, phrase: Phrase) -> Audio:
        missing = sorted({w.text for w in phrase.words if not w.is_pause and self.clip(w) is None})
        if missing:
            raise EngineError(f"no clip for {' '.join(missing)} in {self.folder}")
        parts: list[Audio] = []
        for w in phrase.words:
            if w.is_pause:
                if parts and PAUSES[w.text]:
                    parts.append(silence(self.pause_s, parts[0]))
                continue
            audio = self.clip(w)
            assert audio is not None
            parts.append(audio)
        try:
            return join(parts)
        except AudioError as exc:
            raise EngineError(f"{self.folder}: {exc}") from None


class ChainEngine:
    """Try engines in order (e.g. recorded clips, then espeak-ng for words not recorded)."""

    name = "chain"

    def __init__(self, engines: list[Engine]) -> None:
        if not engines:
            raise ValueError("a chain needs at least one engine")
        self.engines = engines

    def key(self) -> str:
        return "|".join(e.key() for e in self.engines)

    def render(self, phrase: Phrase) -> Audio:
        errors = []
        for engine in self.engines:
            try:
                return engine.render(phrase)
            except EngineError as exc:
                errors.append(f"{engine.name}: {exc}")
        raise EngineError("; ".join(errors))


class PhraseCache:
    """Rendered phrases on disk (``<dir>/<hash>.wav``) and the last few in memory."""

    def __init__(self, engine: Engine, folder: Path | None = None, memory: int = 64) -> None:
        self.engine = engine
        self.folder = Path(folder) if folder else Path(tempfile.gettempdir()) / "hallq-voice-cache"
        self.memory = memory
        self._mem: OrderedDict[str, Audio] = OrderedDict()
        self.renders = 0  # how often the engine really ran (tests check the cache works)

    def path(self, phrase: Phrase) -> Path:
        digest = hashlib.sha256(f"{self.engine.key()}\n{phrase.pinyin}".encode()).hexdigest()[:24]
        return self.folder / f"{digest}.wav"

    def get(self, phrase: Phrase) -> Audio:
        path = self.path(phrase)
        key = path.name
        if key in self._mem:
            self._mem.move_to_end(key)
            return self._mem[key]
        audio: Audio | None = None
        if path.exists():
            try:
                audio = read_wav(path)
            except AudioError:
                path.unlink(missing_ok=True)
        if audio is None:
            audio = self.engine.render(phrase)
            self.renders += 1
            try:
                audio.save(path)
            except OSError as exc:  # a read-only disk must not silence the hall
                log.warning("cannot cache %s: %s", path, exc)
        self._mem[key] = audio
        while len(self._mem) > self.memory:
            self._mem.popitem(last=False)
        return audio


def compose(phrase_audio: Audio, settings: VoiceSettings) -> Audio:
    """One announcement: chime, then the phrase ``repeat`` times with gaps."""
    parts: list[Audio] = []
    if settings.chime and phrase_audio.channels == 1 and phrase_audio.width == 2:
        parts += [resample_mono16(chime(), phrase_audio.rate), silence(0.25, phrase_audio)]
    for i in range(settings.repeat):
        if i:
            parts.append(silence(settings.gap_s, phrase_audio))
        parts.append(phrase_audio)
    return join(parts)


def default_engine(clips: Path | None = None, **espeak: Any) -> Engine:
    """Recorded clips first when a folder is given, espeak-ng otherwise / as fallback."""
    es = EspeakEngine(**espeak)
    if clips is None:
        return es
    return ChainEngine([ClipEngine(clips), es])
