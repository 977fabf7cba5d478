"""A private CUPS scheduler for the A4 tests: the real cupsd, lp and lpstat, nothing of the machine's.

cupsd runs in the foreground from a temporary ServerRoot, listens only on a Unix socket in that
directory (``CUPS_SERVER`` points lp/lpstat there), and its queue ``hallq-a4`` is a raw queue on
``socket://127.0.0.1:PORT``: CUPS's own socket backend delivers each job to a
:class:`~tests.printers.printer_fakes.JetDirectSink`, the one fake, where the printer would be.
(A ``file:`` device queue was tried first: cupsd 2.4 accepts raw jobs for it as root but writes
nothing, since no filter or backend runs for a raw queue to a file.)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.printers.printer_fakes import JetDirectSink

QUEUE = "hallq-a4"


class LocalCups:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hq-cups-"))  # short: a Unix socket path has ~100 bytes
        self.root.chmod(0o755)  # the backend runs as user lp and reads the spooled job under it
        self.sock = self.root / "cups.sock"
        for d in ("conf", "spool", "cache", "state", "tmp", "log"):
            (self.root / d).mkdir()
        (self.root / "conf" / "cups-files.conf").write_text(
            "".join(f"{k} {self.root / v}\n" for k, v in (
                ("ServerRoot", "conf"), ("RequestRoot", "spool"), ("CacheDir", "cache"), ("StateDir", "state"),
                ("TempDir", "tmp"), ("AccessLog", "log/access_log"), ("ErrorLog", "log/error_log"),
                ("PageLog", "log/page_log"), ("Printcap", "printcap"))) + "Sandboxing Relaxed\n")
        (self.root / "conf" / "cupsd.conf").write_text(
            f"Listen {self.sock}\nLogLevel info\nWebInterface No\nBrowsing No\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
        self.env = {**os.environ, "CUPS_SERVER": str(self.sock), "LC_ALL": "C"}
        self.proc = subprocess.Popen(
            [shutil.which("cupsd") or "/usr/sbin/cupsd", "-f", "-c", str(self.root / "conf" / "cupsd.conf"),
             "-s", str(self.root / "conf" / "cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_running()
        self.sink = JetDirectSink()
        self.admin("lpadmin", "-p", QUEUE, "-v", f"socket://127.0.0.1:{self.sink.port}", "-m", "raw", "-E")

    def _wait_running(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = (self.root / "log" / "error_log")
                raise RuntimeError(f"cupsd exited: {log.read_text() if log.exists() else ''}")
            if self.sock.exists() and "is running" in self.admin("lpstat", "-r"):
                return
            time.sleep(0.1)
        raise RuntimeError("cupsd did not start within 15 s")

    def admin(self, *cmd: str) -> str:
        """Run a CUPS command against this scheduler; its stdout."""
        run = subprocess.run(list(cmd), env=self.env, capture_output=True, text=True, timeout=20, check=False)
        return run.stdout

    def wait_for_jobs(self, n: int, timeout: float = 20) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while len(self.sink.jobs) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.sink.jobs

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.sink.close()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.root)
