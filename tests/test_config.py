"""The hall-file checker: every table's ids are checked for shape and duplicates, all errors at once."""

from __future__ import annotations

import tomllib

import pytest

from hub.config import ConfigError, parse_hall
from launcher.samples import sample_hall_path


def sample() -> tuple[dict, str]:  # type: ignore[type-arg]
    text = sample_hall_path().read_text(encoding="utf-8")
    return tomllib.loads(text), text


def errors(doc: dict, text: str = "") -> list[str]:  # type: ignore[type-arg]
    with pytest.raises(ConfigError) as exc:
        parse_hall(doc, text=text)
    return [str(i) for i in exc.value.issues]


def test_duplicate_ids_in_every_table_are_reported_with_both_places() -> None:
    doc, _ = sample()
    for table in ("zones", "queues", "windows", "matters", "priority_groups", "staff", "devices"):
        doc[table].append(dict(doc[table][0]))
    found = errors(doc)
    for table in ("zones", "queues", "windows", "matters", "priority_groups", "staff", "devices"):
        n = len(doc[table]) - 1
        assert any(f"{table}[{n}].id" in e and f"first at {table}[0].id" in e for e in found), table


def test_a_repeated_window_id_is_the_only_error_and_the_first_window_stays() -> None:
    """Issue 13 §6: the repeat serves other queues with a weight of its own; before, the first
    window was dropped and "queue … no window serves it" and a weights error followed."""
    doc, _ = sample()
    wins = doc["windows"]

    def servers(q: str) -> list[int]:
        return [i for i, w in enumerate(wins) if q in w.get("queues", []) + w.get("overflow", [])]

    i, only = next((servers(q["id"])[0], q["id"]) for q in doc["queues"] if len(servers(q["id"])) == 1)
    first = wins[i]
    doc["queues"].append({"id": "Z", "name": "只由重复窗口服务", "zone": first["zone"]})
    wins.append({**first, "name": "重复", "queues": ["Z"], "overflow": [], "weights": {only: 1}})
    found = errors(doc)
    n = len(wins) - 1
    assert found == [f"windows[{n}].id: 重复的标识 (duplicate id {first['id']!r}, first at windows[{i}].id)"], found
    wins.pop()
    doc["queues"].pop()
    hall = parse_hall(doc)
    assert only in hall.windows[first["id"]].queues


def test_queue_ids_must_be_prefix_letters_and_unknown_keys_get_a_hint() -> None:
    doc, text = sample()
    doc["queues"][0]["id"] = "a1"
    doc["zones"][0]["nmae"] = "x"
    found = errors(doc, text)
    assert any(e.startswith("queues[0].id") and "invalid id 'a1'" in e for e in found)
    assert any(e.startswith("zones[0].nmae") and "did you mean 'name'" in e for e in found)


def test_policy_alerts_and_guide_sign_in_are_checked() -> None:
    doc, text = sample()
    doc["policy"]["alert_wait_min"] = -5
    doc["policy"]["guide_sign_in_required"] = "yes"
    doc["policy"]["alert_pause_mins"] = 10
    found = errors(doc, text)
    assert any(e.startswith("policy.alert_wait_min") and "negative" in e for e in found), found
    assert any(e.startswith("policy.guide_sign_in_required") for e in found), found
    assert any(e.startswith("policy.alert_pause_mins") and "did you mean 'alert_pause_min'" in e for e in found), found


def test_the_sample_hall_loads() -> None:
    doc, text = sample()
    hall = parse_hall(doc, text=text)
    assert len(hall.matters) >= 30
    assert hall.windows_serving("A")[:3] == ["S01", "S02", "S03"]


def test_appointments_and_summon_keys_are_checked() -> None:
    text = sample_hall_path().read_text(encoding="utf-8")
    hall = parse_hall(tomllib.loads(text), text=text)
    assert (hall.appointments.checkin_early_min, hall.appointments.checkin_late_min,
            hall.appointments.early_gets_ticket, hall.policy.summon_escalate_min) == (30, 15, False, 10)
    bad = text.replace("checkin_late_min = 15", "checkin_late_min = -5").replace(
        "early_gets_ticket = false", "early_gets_ticket = 'no'").replace(
        "[appointments]\n", "[appointments]\ncheckin_window = 3\n").replace(
        "summon_escalate_min = 10", "summon_escalate_min = -1")
    with pytest.raises(ConfigError) as exc:
        parse_hall(tomllib.loads(bad), text=bad)
    paths = {i.path for i in exc.value.issues}
    assert {"appointments.checkin_late_min", "appointments.early_gets_ticket", "appointments.checkin_window",
            "policy.summon_escalate_min"} <= paths
    assert all(i.line for i in exc.value.issues if i.path.startswith("appointments"))


def test_the_ha_table_defaults_and_typos() -> None:
    """[ha] (docs/config.md): absent → one hub (no witness); every key checked, errors with their key path."""
    import tomllib

    from launcher.samples import sample_hall_path

    text = sample_hall_path().read_text(encoding="utf-8")
    hall = parse_hall(tomllib.loads(text), text=text)
    assert (hall.ha.witness, hall.ha.lease_ttl_s, hall.ha.renew_s, hall.ha.ack_timeout_ms) == ("", 5.0, 1.0, 1000)
    good = text + '\n[ha]\nwitness = "192.168.1.30:7700"\nlease_ttl_s = 6\nrenew_s = 1.5\nack_timeout_ms = 400\n'
    ha = parse_hall(tomllib.loads(good), text=good).ha
    assert (ha.witness, ha.lease_ttl_s, ha.renew_s, ha.ack_timeout_ms) == ("192.168.1.30:7700", 6.0, 1.5, 400)
    bad = text + '\n[ha]\nwitnes = "x"\nwitness = "no-port"\nlease_ttl_s = 1\nack_timeout_ms = 5\n'
    with pytest.raises(ConfigError) as err:
        parse_hall(tomllib.loads(bad), text=bad)
    said = str(err.value)
    for path in ("ha.witnes", "ha.witness", "ha.lease_ttl_s", "ha.ack_timeout_ms"):
        assert path in said, path
    assert "主机:端口" in said
