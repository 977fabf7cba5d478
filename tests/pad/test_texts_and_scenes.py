"""Every screen text has English; every screenshot scene renders a tablet-sized PNG; the CLI is registered."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

import pad.texts  # noqa: F401
from hallq import i18n

PAD = Path(__file__).resolve().parents[2] / "pad"


def tr_literals() -> set[str]:
    found: set[str] = set()
    for path in PAD.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "tr" and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def test_every_text_has_english() -> None:
    texts = tr_literals()
    assert len(texts) > 100
    assert i18n.missing_english(sorted(texts)) == []
    from pad.guide import OVERRIDE_REASONS
    from pad.staff import PAUSE_REASONS, REJECT_REASONS

    assert i18n.missing_english([*PAUSE_REASONS, *REJECT_REASONS, *OVERRIDE_REASONS]) == []


def test_model_modules_never_import_qt() -> None:
    for name in ("state", "presenter", "staff", "guide", "notices", "printing"):
        tree = ast.parse((PAD / f"{name}.py").read_text(encoding="utf-8"))
        mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not any(m.startswith(("PySide6", "hallq.qt", "pad.link")) for m in mods), name


def test_cli_registers_pad() -> None:
    from launcher.cli import build_parser

    args = build_parser().parse_args(["pad", "--device", "G1", "--role", "guide", "--hall", "lvliang"])
    assert args.device == "G1"
    assert args.role == "guide"
    assert callable(args.func)


@pytest.mark.parametrize("scene", ["pad-login", "pad-idle", "pad-serving", "pad-outcome", "pad-offline",
                                   "pad-pass-confirm", "pad-backfill", "pad-transfer-long", "pad-summoned-long",
                                   "guide-hall", "guide-hall-long", "guide-ticket", "guide-search", "guide-windows",
                                   "guide-followups", "guide-summons", "pad-summon"])
def test_scene_renders(scene: str, tmp_path: Path, qapp: Any) -> None:
    from PySide6.QtGui import QImage

    from launcher.scenes.pad import SCENES

    out = tmp_path / f"{scene}.png"
    SCENES[scene](out)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_every_protocol_refusal_has_english_on_the_pad() -> None:
    """The hub's protocol messages are Chinese with an English gloss; in English the pad shows its own text."""
    from hallq import protocol as p
    from pad.presenter import ERROR_EN, error_text

    protocol_level = {"too_deep", "bad_number", "bad_text", "internal", "forbidden", "not_signed_in", "bad_pin"}
    assert protocol_level <= set(ERROR_EN)
    assert protocol_level <= set(p.ERROR_CODES)
    i18n.set_language("en")
    try:
        assert error_text("bad_number", "args.appointment_slot: 数值 NaN 无效") == ERROR_EN["bad_number"]
    finally:
        i18n.set_language("zh_CN")
    # in Chinese the hub's message names the argument (for the developer): the pad shows the code's words
    assert error_text("bad_number", "args.appointment_slot: 数值 NaN 无效") == p.ERROR_WORDS["bad_number"]
