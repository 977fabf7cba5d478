"""The notifiers across a failover, in-process with real Mosquitto brokers (one per hub PC), a real primary
hub, a real standby and a loopback stand-in for the SMS gateway (docs/notify.md, docs/operations.md §6).

N1 on the primary's PC sends the morning's messages; its claims (``notify.claimed`` events) reach the
standby with the log. The primary's PC goes; the standby is promoted; N2, the notifier on the standby's PC,
sees every moment N1 sent as ``taken`` (nothing is sent twice) and sends the moments due after the
promotion."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from hub.config import load_hall
from launcher.local_hall import open_all_day
from notify.notifier import Notifier
from notify.record import Record
from notify.transport import HttpTransport
from tests.notify.gateway import gateway
from tests.notify.test_notifier import PHONES, config

from .conftest import hall_file, two_hub_pcs, wait_until
from .test_replication import plain

PIN = "1234"


def test_messages_sent_before_a_failover_are_not_sent_again_and_later_ones_go_out(tmp_path: Path) -> None:
    path = hall_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + '\n[[devices]]\nid = "N2"\nrole = "notify"\n',
                    encoding="utf-8")
    hall: Any = open_all_day(load_hall(path))
    with two_hub_pcs(tmp_path, hall) as pcs:
        primary, standby, a, b, client = pcs.primary, pcs.standby, pcs.a, pcs.b, pcs.client
        with gateway() as gw:
            cfg = config(gw.url, near=3)
            kiosk = client(a.url, "K1")
            n1 = Notifier(client(a.url, "N1").request, HttpTransport(cfg.gateway), Record.open(tmp_path / "a" / "n"),
                          cfg, sleep=lambda _s: None, device="N1")
            wait_until(lambda: primary.replicator.in_sync, 20, "the standby in sync")
            tickets = [kiosk.request("ticket.issue", {**plain(hall), "phone": phone, "notify_consent": True})
                       ["ticket"] for phone in PHONES[:3]]
            before = n1.run_once()
            assert [r for _, r in before] == ["sent"] * 3  # 0, 1 and 2 ahead: each its near message
            wait_until(lambda: standby.replica.cursor["seq"] == primary.service.seq, 20, "the claims on the standby")
            primary.stop()  # the primary's PC goes: hub, and N1 with it
            a.stop()
            wait_until(lambda: not standby.replica.primary_answering, 10, "the primary's offline presence")
            ok, message = standby.promote()
            assert ok, message
            n2 = Notifier(client(b.url, "N2").request, HttpTransport(cfg.gateway), Record.open(tmp_path / "b" / "n"),
                          cfg, sleep=lambda _s: None, device="N2")
            after = n2.run_once()
            assert [r for _, r in after] == ["taken"] * 3  # N1's claims came over: not sent again
            assert len(gw.received) == 3
            pad = client(b.url, "P-S01")
            pad.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
            called = pad.request("ticket.call_next", {"window": "S01"})["ticket"]
            assert called["id"] == tickets[0]["id"]
            assert [r for _, r in n2.run_once()] == ["sent"]  # due after the promotion: it goes out
            assert gw.received[-1]["text"] == f"【测试大厅】{called['number']} 号：请到 S01 窗口办理。"
            assert gw.received[-1]["phone"] == PHONES[0]
            assert set(Counter(m["id"] for m in gw.received).values()) == {1}
            assert n2.run_once() == []
