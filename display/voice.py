"""The voice of the hall: what to say for a call, how it sounds, and when it is spoken.

Three layers, each testable on its own:

1. **Phrases** (pure). A call (the typed :class:`hallq.messages.Call` of ``event/call``:
   number ``A001``, window ``S01``, recall 0) fills a
   configurable template (``请{number}号到{window}窗口办理``) and is cut into *words*:
   vocabulary words with their pinyin (请 qing3, 窗口 chuang1 kou3, 重呼 chong2 hu1 …),
   letters, and digits read one by one (A001 → A 零 零 一). Pinyin with tone numbers is
   what the espeak-ng ``cmn-latn-pinyin`` voice reads best (it also takes 汉字, but picks
   the wrong reading of polyphones such as 重 in 重呼); clip engines use the words as
   file names.
2. **Engines** render a phrase to PCM. :class:`EspeakEngine` (offline, the default),
   :class:`ClipEngine` (a folder of recorded clips, concatenated), :class:`ChainEngine`
   (first engine that can say it). A hall can plug in a better TTS by implementing
   :class:`Engine`. :class:`PhraseCache` keeps every rendered phrase on disk.
3. **The announcer** (:class:`Announcer`) is a queue with an injected clock and player:
   a new call waits for the one being spoken (never cuts it off), each call is spoken
   once however often MQTT delivers it, recalls are spoken as recalls, and a player that
   never reports "finished" cannot stall the queue (a watchdog moves on).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import shutil
import subprocess
import tempfile
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from display.audio import Audio, AudioError, chime, join, read_wav, resample_mono16, silence
from hallq.messages import Call

log = logging.getLogger("hallq.display.voice")

DIGITS = "零一二三四五六七八九"
DIGIT_PINYIN = ("ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3")

# Fixed vocabulary of calls, with the reading a caller uses (polyphones resolved here).
VOCABULARY: dict[str, str] = {
    "请": "qing3", "号": "hao4", "到": "dao4", "窗口": "chuang1 kou3", "办理": "ban4 li3",
    "重呼": "chong2 hu1", "再次": "zai4 ci4", "呼叫": "hu1 jiao4", "请注意": "qing3 zhu4 yi4",
    "前往": "qian2 wang3", "号窗口": "hao4 chuang1 kou3", "第": "di4", "次": "ci4", "窗": "chuang1",
    "口": "kou3", "办": "ban4", "理": "li3", "综合": "zong1 he2", "专窗": "zhuan1 chuang1",
    "零": "ling2", "一": "yi1", "二": "er4", "三": "san1", "四": "si4", "五": "wu3", "六": "liu4",
    "七": "qi1", "八": "ba1", "九": "jiu3", "十": "shi2", "幺": "yao1",
}
PAUSES = {"，": ",", ",": ",", "。": ".", ".": ".", "；": ",", "：": ",", ":": ",", "、": ",", " ": ""}


# ---------------------------------------------------------------- phrases


@dataclass(frozen=True)
class Word:
    """One spoken unit: ``text`` as written (零, A, 窗口, ，) and its pinyin ("" = read the text)."""

    text: str
    pinyin: str = ""

    @property
    def is_pause(self) -> bool:
        return self.text in PAUSES


@dataclass(frozen=True)
class Phrase:
    text: str  # what the screen would show: 请A001号到S01窗口办理
    words: tuple[Word, ...]

    @property
    def spoken(self) -> str:
        """The text as read aloud: 请A零零一号到S零一窗口办理."""
        return "".join(w.text for w in self.words)

    @property
    def pinyin(self) -> str:
        """Input for espeak-ng ``cmn-latn-pinyin``: ``qing3 A ling2 ling2 yi1 hao4 …``."""
        out: list[str] = []
        for w in self.words:
            if w.is_pause:
                if out and PAUSES[w.text]:
                    out[-1] += PAUSES[w.text]
            else:
                out.append(w.pinyin or w.text)
        return " ".join(out)


@dataclass(frozen=True)
class VoiceSettings:
    """How calls are spoken; every field can be set per hall screen (see docs/display.md)."""

    template: str = "请{number}号到{window}窗口办理"
    recall_template: str = "重呼，请{number}号到{window}窗口办理"
    repeat: int = 2  # times each call is said (after one chime)
    chime: bool = True
    gap_s: float = 0.7  # silence between repeats
    one: str = "yi1"  # some halls say 幺 (yao1) for 1 in numbers
    max_age_s: float = 120.0  # calls older than this (a backlog after a reconnect) are not spoken
    watchdog_s: float = 3.0  # extra time a player gets beyond the audio's length

    def __post_init__(self) -> None:
        if not 1 <= self.repeat <= 5:
            raise ValueError(f"repeat must be 1-5, got {self.repeat}")
        if self.one not in ("yi1", "yao1"):
            raise ValueError(f"one must be 'yi1' or 'yao1', got {self.one!r}")
        for t in (self.template, self.recall_template):
            try:
                t.format(number="A001", window="S01", window_name="", recall=1)
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(f"bad template {t!r}: use only {{number}} {{window}} {{window_name}} "
                                 f"{{recall}} ({exc})") from None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> VoiceSettings:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown voice setting(s): {', '.join(sorted(unknown))}")
        return cls(**dict(data))


def words(text: str, one: str = "yi1") -> tuple[Word, ...]:
    """Cut text into spoken words: vocabulary (longest match), letters, digits one by one."""
    out: list[Word] = []
    longest = max(len(k) for k in VOCABULARY)
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isascii() and ch.isdigit():
            d = int(ch)
            out.append(Word(DIGITS[d], one if d == 1 else DIGIT_PINYIN[d]))
            i += 1
            continue
        if ch.isascii() and ch.isalpha():
            out.append(Word(ch.upper(), ch.upper()))
            i += 1
            continue
        if ch in PAUSES:
            if ch != " ":
                out.append(Word(ch))
            i += 1
            continue
        for n in range(min(longest, len(text) - i), 0, -1):
            piece = text[i:i + n]
            if piece in VOCABULARY:
                pinyin = one if piece == "一" else VOCABULARY[piece]
                out.append(Word(piece, pinyin))
                i += n
                break
        else:
            out.append(Word(ch))  # not in the vocabulary: the engine reads the character
            i += 1
    return tuple(out)


def call_phrase(call: Call, settings: VoiceSettings) -> Phrase:
    """The phrase for one call (``event/call``; a recall uses the recall template)."""
    template = settings.recall_template if call.recall else settings.template
    text = template.format(number=call.number, window=call.window, window_name=call.window_name,
                           recall=call.recall)
    return Phrase(text, words(text, settings.one))


# ---------------------------------------------------------------- engines


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


# ---------------------------------------------------------------- the announcer


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


def default_engine(clips: Path | None = None, **espeak: Any) -> Engine:
    """Recorded clips first when a folder is given, espeak-ng otherwise / as fallback."""
    es = EspeakEngine(**espeak)
    if clips is None:
        return es
    return ChainEngine([ClipEngine(clips), es])
