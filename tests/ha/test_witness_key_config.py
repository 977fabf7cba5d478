"""``[ha] witness_key`` (hub/config.py): an absolute path, only with a witness; the hub's default is
``witness.key`` beside the hall's database (hub/ha/lease_client.py ``witness_key_path``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hub.config import ConfigError, parse_hall
from hub.ha.auth import KeyFileError, make_key
from hub.ha.lease_client import lease_gate, witness_key_path
from launcher.samples import sample_hall_path


def hall_with(extra: str):  # type: ignore[no-untyped-def]
    text = sample_hall_path().read_text(encoding="utf-8") + extra
    return parse_hall(tomllib.loads(text), text=text)


def test_the_key_path_is_absolute_and_defaults_beside_the_database(tmp_path: Path) -> None:
    hall = hall_with('\n[ha]\nwitness = "127.0.0.1:7700"\n')
    assert hall.ha.witness_key == ""
    assert witness_key_path(hall, tmp_path / "hall.db") == tmp_path / "witness.key"
    with pytest.raises(KeyFileError) as missing:  # a hub without the key does not start, and says where
        lease_gate(hall, db=tmp_path / "hall.db")
    assert str(tmp_path / "witness.key") in str(missing.value)
    assert "复制" in str(missing.value)
    make_key(tmp_path / "keys" / "w.key")
    named = hall_with(f'\n[ha]\nwitness = "127.0.0.1:7700"\nwitness_key = "{tmp_path / "keys" / "w.key"}"\n')
    gate = lease_gate(named, db=tmp_path / "hall.db")
    assert gate is not None
    assert len(gate.key) == 32


@pytest.mark.parametrize(("extra", "words"), [
    ('\n[ha]\nwitness = "127.0.0.1:7700"\nwitness_key = "keys/w.key"\n', "绝对路径"),
    ('\n[ha]\nwitness_key = "/etc/hallq/witness.key"\n', "没有 witness"),
    ('\n[ha]\nwitness = "127.0.0.1:7700"\nwitness_key = 7\n', "ha.witness_key"),
])
def test_a_bad_key_setting_is_a_clear_error(extra: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        hall_with(extra)
    said = str(err.value)
    assert "ha.witness_key" in said
    assert words in said
