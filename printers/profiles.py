"""Printer profiles (打印机型号配置): the quirks of a model as data, not code.

Chinese thermal printers differ in four ways that matter to us:

* whether they print double-byte text only after FS & (1C 26) enters Chinese-character mode
  (``chinese_mode = "fs"``), start in it already (``"default"``), or take UTF-8 (``"utf8"``);
* whether they render QR codes themselves (GS ( k, ~100 bytes) or need a raster image (~3-5 KB);
* which cut command they accept (GS V 0 full, GS V 1 partial, GS V 66 n feed-and-cut, none);
* whether they answer DLE EOT status queries at all (some never do; then don't ask).

``raster`` sends every line as a bitmap: slow and big but prints on anything, even printers
whose Chinese font ROM is missing.  A printer table in the hall file names a profile and may
override single fields (see :mod:`printers.config`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

ChineseMode = Literal["fs", "default", "utf8", "raster"]
CutMode = Literal["full", "partial", "feed_partial", "none"]

CHINESE_MODES: tuple[str, ...] = ("fs", "default", "utf8", "raster")
CUT_MODES: tuple[str, ...] = ("full", "partial", "feed_partial", "none")


@dataclass(frozen=True)
class Profile:
    name: str
    chinese_mode: ChineseMode = "fs"
    native_qr: bool = True
    cut: CutMode = "feed_partial"
    status_query: bool = True
    qr_module: int = 6  # dots per QR module; 6 dots ≈ 0.75 mm at 203 dpi
    description: str = ""

    @property
    def encoding(self) -> str:
        return "utf-8" if self.chinese_mode == "utf8" else "gb18030"

    @property
    def text_mode(self) -> bool:
        """False when every line goes out as a bitmap."""
        return self.chinese_mode != "raster"


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "generic-gb18030",
            description="通用国产热敏机：GB18030，需 FS & 进入汉字模式，原生二维码",
        ),
        Profile(
            "xprinter",
            chinese_mode="default",
            description="芯烨 Xprinter XP-58/XP-80：上电即汉字模式，原生二维码",
        ),
        Profile(
            "epson-tm-t82-cn",
            description="Epson TM-T82 中文版：FS & 汉字模式，原生二维码，GS V 66 切纸",
        ),
        Profile(
            "gprinter-no-status",
            chinese_mode="default",
            status_query=False,
            description="佳博等不应答 DLE EOT 的型号：不查询状态",
        ),
        Profile("utf8", chinese_mode="utf8", description="UTF-8 固件的打印机"),
        Profile(
            "raster-only",
            chinese_mode="raster",
            native_qr=False,
            description="全部以位图打印：任何打印机都能打，但慢且数据量大",
        ),
    )
}

DEFAULT_PROFILE = "generic-gb18030"


def get_profile(name: str, **overrides: object) -> Profile:
    """The named profile with some fields overridden; KeyError names the known ones."""
    try:
        base = PROFILES[name]
    except KeyError:
        known = "、".join(PROFILES)
        raise KeyError(f"未知打印机配置 (unknown profile) {name!r}；可选：{known}") from None
    return replace(base, **overrides) if overrides else base  # type: ignore[arg-type]
