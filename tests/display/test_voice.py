"""Voice: phrases read digit by digit, real espeak-ng audio, clip concatenation, cache, the queue."""

from __future__ import annotations

import shutil
from pathlib import Path

import msgspec
import pytest

from display.audio import Audio, chime, read_wav, silence
from display.phrases import Phrase, VoiceSettings, call_phrase, words
from display.tts import ChainEngine, ClipEngine, EngineError, EspeakEngine, PhraseCache, compose
from display.voice import Announcer
from hallq.messages import Call
from tests.display.display_helpers import FakeClock, RecordingPlayer

CALL = Call(v=1, seq=1, ticket="2026-11-23-A001", number="A001", window="S01", window_name="综合窗口1", zone="Z1",
            recall=0, text="请A001号到S01窗口办理", at=1_790_000_000.0)
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


# ---------------------------------------------------------------- phrases


def test_call_phrase_reads_digits_one_by_one() -> None:
    p = call_phrase(CALL, VoiceSettings())
    assert p.text == "请A001号到S01窗口办理"
    assert p.spoken == "请A零零一号到S零一窗口办理"
    assert p.pinyin == "qing3 A ling2 ling2 yi1 hao4 dao4 S ling2 yi1 chuang1 kou3 ban4 li3"


def test_recall_is_spoken_as_a_recall_with_the_right_reading_of_zhong() -> None:
    p = call_phrase(msgspec.structs.replace(CALL, recall=1), VoiceSettings())
    assert p.text.startswith("重呼")
    assert p.pinyin.startswith("chong2 hu1, qing3")  # 重 as chong2, not zhong4; the comma is a pause


def test_template_and_yao_are_configurable() -> None:
    s = VoiceSettings(template="{number}号请到{window_name}", one="yao1")
    p = call_phrase(msgspec.structs.replace(CALL, number="B110"), s)
    assert p.text == "B110号请到综合窗口1"
    assert p.pinyin.split()[:4] == ["B", "yao1", "yao1", "ling2"]


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="template"):
        VoiceSettings(template="请{ticket}号")
    with pytest.raises(ValueError, match="repeat"):
        VoiceSettings(repeat=0)
    with pytest.raises(ValueError, match="unknown"):
        VoiceSettings.from_mapping({"repaet": 2})


def test_unknown_characters_are_left_to_the_engine() -> None:
    ws = words("请到不动产专窗")
    assert [w.text for w in ws][:2] == ["请", "到"]
    assert any(w.text == "不" and w.pinyin == "" for w in ws)
    assert ws[-1].text == "专窗" and ws[-1].pinyin == "zhuan1 chuang1"


# ---------------------------------------------------------------- engines


@needs_espeak
def test_espeak_renders_a_call_that_is_not_silent(tmp_path: Path) -> None:
    audio = EspeakEngine().render(call_phrase(CALL, VoiceSettings()))
    assert 2.0 < audio.duration < 10.0
    assert audio.rms() > 500  # speech, not silence
    path = audio.save(tmp_path / "call.wav")
    again = read_wav(path)
    assert again.duration == pytest.approx(audio.duration)


@needs_espeak
def test_announcement_is_chime_then_repeats(tmp_path: Path) -> None:
    phrase_audio = EspeakEngine().render(call_phrase(CALL, VoiceSettings()))
    one = compose(phrase_audio, VoiceSettings(repeat=1, chime=False))
    three = compose(phrase_audio, VoiceSettings(repeat=3, chime=True, gap_s=0.5))
    assert one.duration == pytest.approx(phrase_audio.duration)
    expected = chime().duration + 0.25 + 3 * phrase_audio.duration + 2 * 0.5
    assert three.duration == pytest.approx(expected, abs=0.05)
    # the first second is the chime: loud, not silence
    head = Audio(three.rate, three.frames[: three.rate * 2])
    assert head.rms() > 1000


def _tone_clip(folder: Path, name: str, seconds: float, rate: int = 16000) -> None:
    import array
    import math

    a = array.array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(seconds * rate))))
    Audio(rate, a.tobytes()).save(folder / f"{name}.wav")


def test_clip_engine_concatenates_recorded_words(tmp_path: Path) -> None:
    for name in ("请", "A", "零", "一", "号", "到", "S", "窗口", "办理"):
        _tone_clip(tmp_path, name, 0.1)
    audio = ClipEngine(tmp_path).render(call_phrase(CALL, VoiceSettings()))
    # 请 A 零 零 一 号 到 S 零 一 窗口 办理 = 12 clips of 0.1 s
    assert audio.duration == pytest.approx(1.2, abs=0.01)


def test_clip_engine_names_every_missing_clip(tmp_path: Path) -> None:
    _tone_clip(tmp_path, "请", 0.1)
    with pytest.raises(EngineError) as err:
        ClipEngine(tmp_path).render(call_phrase(CALL, VoiceSettings()))
    for word in ("窗口", "零", "办理", "A"):
        assert word in str(err.value)


def test_clip_engine_refuses_mixed_formats(tmp_path: Path) -> None:
    _tone_clip(tmp_path, "请", 0.1, rate=16000)
    _tone_clip(tmp_path, "号", 0.1, rate=22050)
    with pytest.raises(EngineError, match="format"):
        ClipEngine(tmp_path).render(Phrase("请号", words("请号")))


class CountingEngine:
    name = "counting"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def key(self) -> str:
        return "counting:1"

    def render(self, phrase: Phrase) -> Audio:
        self.calls.append(phrase.text)
        return silence(0.5, Audio(16000, b""))


def test_chain_falls_back_and_cache_renders_each_phrase_once(tmp_path: Path) -> None:
    counting = CountingEngine()
    chain = ChainEngine([ClipEngine(tmp_path / "no-clips"), counting])
    cache = PhraseCache(chain, tmp_path / "cache")
    p = call_phrase(CALL, VoiceSettings())
    first = cache.get(p)
    second = cache.get(p)
    assert first == second and counting.calls == [p.text] and cache.renders == 1
    fresh = PhraseCache(chain, tmp_path / "cache")  # a restarted screen uses the disk cache
    assert fresh.get(p).duration == pytest.approx(0.5) and fresh.renders == 0


# ---------------------------------------------------------------- the announcer


def _announcer(tmp_path: Path, clock: FakeClock, **settings: object) -> tuple[Announcer, RecordingPlayer]:
    player = RecordingPlayer(clock)
    cache = PhraseCache(CountingEngine(), tmp_path / "cache")
    vs = VoiceSettings(**settings)  # type: ignore[arg-type]
    return Announcer(cache.get, player, clock, vs, out_dir=tmp_path / "say"), player


def _call(n: int, recall: int = 0, at: float = 1_790_000_000.0, window: str = "S01") -> Call:
    return msgspec.structs.replace(CALL, ticket=f"T{n}", number=f"A{n:03d}", recall=recall, at=at, window=window)


def test_a_new_call_never_cuts_off_the_one_being_spoken(tmp_path: Path) -> None:
    clock = FakeClock()
    ann, player = _announcer(tmp_path, clock)
    for n in (1, 2, 3):
        assert ann.on_call(_call(n))
    assert len(player.played) == 1 and ann.current is not None and ann.current.phrase.text == "请A001号到S01窗口办理"
    clock.advance(1.0)
    ann.tick()  # well within the audio's length: nothing new starts
    assert len(player.played) == 1
    player.finish()
    player.finish()
    player.finish()
    assert player.overlaps == 0
    assert [a.phrase.text for a in ann.spoken] == ["请A001号到S01窗口办理", "请A002号到S01窗口办理",
                                                   "请A003号到S01窗口办理"]
    assert not ann.busy


def test_each_call_is_spoken_once_and_recalls_again(tmp_path: Path) -> None:
    clock = FakeClock()
    ann, player = _announcer(tmp_path, clock)
    assert ann.on_call(_call(1))
    assert not ann.on_call(_call(1))  # MQTT QoS 1 delivered it twice
    assert ann.on_call(_call(1, recall=1, at=CALL.at + 30))
    player.finish()
    player.finish()
    assert [a.phrase.text for a in ann.spoken] == ["请A001号到S01窗口办理", "重呼，请A001号到S01窗口办理"]


def test_a_player_that_never_finishes_does_not_stall_the_queue(tmp_path: Path) -> None:
    clock = FakeClock()
    ann, player = _announcer(tmp_path, clock, repeat=1, chime=False, watchdog_s=2.0)
    ann.on_call(_call(1))
    ann.on_call(_call(2))
    clock.advance(0.5 + 1.9)
    ann.tick()
    assert len(player.played) == 1
    clock.advance(0.2)
    ann.tick()
    assert len(player.played) == 2 and ann.current is not None and "A002" in ann.current.phrase.text
    player.playing = None
    # a late "done" from the first play must not end the second
    ann._done(ann.spoken[0])
    assert ann.current is not None and "A002" in ann.current.phrase.text


def test_old_calls_after_a_reconnect_are_not_spoken(tmp_path: Path) -> None:
    clock = FakeClock()
    ann, player = _announcer(tmp_path, clock, max_age_s=60)
    assert not ann.on_call(_call(1, at=clock.t - 300))
    assert ann.on_call(_call(2, at=clock.t - 5))
    assert len(player.played) == 1


def test_announcement_audio_length_matches_settings(tmp_path: Path) -> None:
    clock = FakeClock()
    ann, player = _announcer(tmp_path, clock, repeat=3, chime=False, gap_s=0.5)
    ann.on_call(_call(1))
    path, duration, _ = player.played[0]
    assert duration == pytest.approx(3 * 0.5 + 2 * 0.5)
    assert read_wav(path).duration == pytest.approx(duration)
