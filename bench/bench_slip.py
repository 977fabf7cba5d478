"""Slip render time and bytes per slip, native vs raster modes (python bench/bench_slip.py).

Fewer bytes means the printer runs at mechanical speed: at 9600 baud a 40 KB raster slip
takes ~40 s on the wire, a 1.2 KB native one ~1.3 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from printers.escpos_render import render
from printers.preview import paper
from printers.profiles import get_profile
from printers.slip import sample_slip

MODES = {
    "native text + native QR": get_profile("generic-gb18030"),
    "native text + raster QR": get_profile("generic-gb18030", native_qr=False),
    "raster-only": get_profile("raster-only"),
}


def timed(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm caches (fonts, glyphs)
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1000


def main(n: int = 50) -> None:
    print(f"{'mode':<26}{'width':>6}{'bytes':>9}{'render ms':>11}{'9600 baud s':>13}{'preview ms':>12}")
    for width in (58, 80):
        for name, profile in MODES.items():
            doc = sample_slip().to_document(width)
            size = len(render(doc, profile))
            ms = timed(lambda: render(sample_slip().to_document(width), profile), n)  # noqa: B023
            pv = timed(lambda: paper(doc, profile), n // 5 or 1)  # noqa: B023
            print(f"{name:<26}{width:>6}{size:>9}{ms:>11.2f}{size * 10 / 9600:>13.1f}{pv:>12.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
