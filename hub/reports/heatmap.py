"""The hour × zone arrivals heatmap (分时段分区域人流热力图) as a PNG, drawn with Pillow.

One row per zone, one column per hour; each cell is shaded from white (no arrivals) to
deep red (the busiest cell) and carries its count, so the picture reads in black and white
too. Chinese labels need a CJK font (WenQuanYi Micro Hei on Debian: fonts-wqy-microhei);
without one the labels fall back to zone ids so nothing is drawn as empty boxes.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
)
LOW = (255, 255, 255)
MID = (253, 174, 97)
HIGH = (189, 0, 38)


def cjk_font_path() -> str | None:
    env = [p for p in os.environ.get("HALLQ_CJK_FONTS", "").split(os.pathsep) if p]
    return next((p for p in (*env, *CJK_FONTS) if Path(p).is_file()), None)


def _font(size: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, bool]:
    path = cjk_font_path()
    if path:
        return ImageFont.truetype(path, size), True
    return ImageFont.load_default(), False


def shade(value: float, top: float) -> tuple[int, int, int]:
    if top <= 0 or value <= 0:
        return LOW
    x = min(1.0, value / top)
    a, b, t = (LOW, MID, x * 2) if x < 0.5 else (MID, HIGH, x * 2 - 1)
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def render_heatmap(title: str, hours: list[int], zones: list[tuple[str, str]],
                   counts: dict[tuple[int, str], int], unit: str = "单位：人（取号数）") -> bytes:
    font, cjk = _font(16)
    small, _ = _font(13)
    big, _ = _font(20)
    labels = [name if cjk else (zid or "-") for zid, name in zones]
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    left = 16 + max((int(probe.textlength(s, font=font)) for s in labels), default=40)
    cell_w, cell_h, top = 54, 40, 76
    width = left + cell_w * max(1, len(hours)) + 24
    height = top + cell_h * max(1, len(zones)) + 70
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.text((12, 10), title if cjk else "arrivals by hour and zone", fill="black", font=big)
    d.text((12, 42), unit if cjk else "tickets", fill=(90, 90, 90), font=small)
    peak = max(counts.values(), default=0)
    for j, h in enumerate(hours):
        x = left + j * cell_w
        d.text((x + cell_w / 2, top - 10), f"{h:02d}时" if cjk else f"{h:02d}h", fill="black", font=small,
               anchor="ms")
    for i, (zid, _) in enumerate(zones):
        y = top + i * cell_h
        d.text((left - 8, y + cell_h / 2), labels[i], fill="black", font=font, anchor="rm")
        for j, h in enumerate(hours):
            x = left + j * cell_w
            n = counts.get((h, zid), 0)
            color = shade(n, peak)
            d.rectangle((x, y, x + cell_w - 1, y + cell_h - 1), fill=color, outline=(200, 200, 200))
            ink = "white" if sum(color) < 400 else "black"
            d.text((x + cell_w / 2, y + cell_h / 2), str(n), fill=ink, font=font, anchor="mm")
    # legend: a strip from 0 to the busiest cell
    ly = top + cell_h * max(1, len(zones)) + 24
    steps = 10
    for k in range(steps):
        d.rectangle((left + k * 18, ly, left + k * 18 + 17, ly + 14), fill=shade(k + 0.5, steps))
    d.text((left - 8, ly + 7), "0", fill="black", font=small, anchor="rm")
    d.text((left + steps * 18 + 8, ly + 7), str(peak), fill="black", font=small, anchor="lm")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()
