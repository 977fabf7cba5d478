"""Display side of a call: call message → hall screen repainted, and phrase → audio ready.

``python bench/bench_display.py [--n 200]``. Offscreen Qt (``QT_QPA_PLATFORM=offscreen``).

* repaint: the hub's retained ``state/calls`` message (as it arrives after a call) fed to the
  hall screen's model (``HallBoard.apply``), the view refreshed and painted (``grab()``
  forces a full paint of the 1920×1080 screen, which a real screen does on its next frame);
* voice: the call phrase built and rendered to audio by espeak-ng (``cmn-latn-pinyin``),
  first uncached (what the first call of a new number costs) and then from the phrase cache
  (every repeat and recall).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import msgspec

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, pct, table
from display.hall_view import HallView
from display.model import HallBoard
from display.phrases import VoiceSettings, call_phrase
from display.tts import EspeakEngine, PhraseCache
from hallq.messages import Call
from hallq.qt.app import make_app
from hub.config import load_hall
from hub.publisher import catalog
from launcher.samples import sample_hall_path

BASE = "hallq/lvliang"


def call(i: int) -> dict[str, object]:
    number = f"A{i % 999 + 1:03d}"
    window = f"S0{i % 8 + 1}"
    return {"v": 1, "seq": i, "ticket": f"2026-11-23-{number}", "number": number, "window": window,
            "window_name": f"综合窗口{i % 8 + 1}", "zone": "Z1", "recall": 0,
            "text": f"请{number}号到{window}窗口办理", "at": time.time()}


def repaint(n: int) -> list[float]:
    make_app()
    board = HallBoard(BASE, "Z1", clock=time.time)
    board.apply(f"{BASE}/catalog", catalog(load_hall(sample_hall_path())))
    board.set_broker(True)
    board.apply(f"{BASE}/presence/hub", {"online": True})
    view = HallView(board)
    view.resize(1920, 1080)
    view.refresh()
    view.grab()
    calls: list[dict[str, object]] = []
    out = []
    for i in range(n):
        calls = [call(i), *calls][:20]
        t0 = time.perf_counter()
        if board.apply(f"{BASE}/state/calls", {"v": 1, "seq": i, "calls": calls}):
            view.refresh()
        view.grab()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def voice(n_cold: int, n_warm: int) -> tuple[list[float], list[float]]:
    settings = VoiceSettings()
    engine = EspeakEngine()
    if not engine.available():
        raise SystemExit("espeak-ng is not installed (apt install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        cache = PhraseCache(engine, Path(tmp))
        cold, warm = [], []
        for i in range(n_cold):
            c = msgspec.convert(call(i), Call)
            t0 = time.perf_counter()
            cache.get(call_phrase(c, settings))
            cold.append((time.perf_counter() - t0) * 1000)
        for i in range(n_warm):
            c = msgspec.convert(call(i % n_cold), Call)
            t0 = time.perf_counter()
            cache.get(call_phrase(c, settings))
            warm.append((time.perf_counter() - t0) * 1000)
    return cold, warm


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    a = ap.parse_args()
    paint = repaint(a.n)
    cold, warm = voice(max(5, a.n // 20), a.n)
    rows = [["call → hall screen repainted (1920×1080)", len(paint), pct(paint, .5), pct(paint, .99)],
            ["phrase → audio, espeak-ng, uncached", len(cold), pct(cold, .5), pct(cold, .99)],
            ["phrase → audio, from the phrase cache", len(warm), pct(warm, .5), pct(warm, .99)]]
    print(f"display, ms ({machine()})")
    print(table(["path", "n", "p50", "p99"], rows))


if __name__ == "__main__":
    main()
