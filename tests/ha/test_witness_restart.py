"""A primary hub that restarts while its standby is cut off must not leave the witness counting that
standby in sync (hub/ha/repl.py, "A primary that (re)starts").

Real processes: ``hallq witness``, the primary ``hallq hub`` (embedded broker) and ``hallq standby``,
the standby reaching the primary's broker through a proxy the test cuts. With the standby in sync, the
link between the PCs is cut and the primary's hub is killed and started again on the same file (what
systemd does after a crash or the watchdog). The restarted primary answers a kiosk; then its PC dies.
The standby never received that ticket, so it must not take the hall: the witness, told by the
restarted primary before it answered, refuses it (out of sync). Without that, the standby would be
granted the lease and the acknowledged ticket would be gone.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

from hallq import protocol as p
from hallq.client import HallClient
from tests.faults.conftest import wait_until
from tests.faults.test_hub_kill import a_situation

from .test_witness_failover import HALL, Pair, start


def test_a_primary_restarted_while_cut_from_its_standby_has_the_witness_drop_it_before_answering(
        tmp_path: Path) -> None:
    pair = Pair(tmp_path, cut_links=True)
    try:
        pair.in_sync()
        assert pair.repl_link is not None
        pair.repl_link.cut()  # the two hub PCs cannot see each other
        pair.primary.send_signal(signal.SIGKILL)  # the hub crashes before any commit could time out an ack
        pair.primary.wait(10)
        assert pair.witness.ask({"op": "status"})["in_sync"] == ["pc-a", "pc-b"]

        config_a = tmp_path / "hall-a.toml"
        pair.primary = start(["hub", "--config", str(config_a), "--db", str(pair.pc_a / "hall.db"), "--listen",
                              f"127.0.0.1:{pair.port_a}", "--always-open"], "pc-a", tmp_path / "a2.log", "hallq hub:")
        pair.procs.append(pair.primary)
        kiosk = HallClient(f"mqtt://127.0.0.1:{pair.port_a}", HALL, "K1", "kiosk").start(30)
        try:
            matter = a_situation(pair.config)
            reply = kiosk.request("ticket.issue", {"matter": matter[0], "situation": matter[1]}, timeout=5.0,
                                  retries=6, request_id=p.new_request_id())
        finally:
            kiosk.stop()
        ticket = reply["ticket"]
        # answered, so the witness no longer counts the standby (which never got this ticket) in sync
        assert pair.witness.ask({"op": "status"})["in_sync"] == ["pc-a"]

        pair.primary.send_signal(signal.SIGKILL)  # and now the primary PC dies
        pair.primary.wait(10)
        killed = time.monotonic()
        wait_until(lambda: time.monotonic() - killed > 12, 20, "two leases and more")
        status = pair.witness.ask({"op": "status"})
        assert (status["holder"], status["epoch"], status["state"]) == ("pc-a", 1, "free")
        assert "granted this standby the lease" not in (tmp_path / "b.log").read_text(encoding="utf-8")

        # what the standby has: everything but the restarted primary's ticket (so taking over would lose it)
        pair.standby.send_signal(signal.SIGTERM)
        pair.standby.wait(30)
        conn = sqlite3.connect(pair.pc_b / "hall.db")
        try:
            ids = {row[0] for row in conn.execute("SELECT id FROM tickets")}
        finally:
            conn.close()
        assert ticket["id"] not in ids
    finally:
        pair.close()
