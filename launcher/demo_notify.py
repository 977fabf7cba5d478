"""The notifier in ``hallq demo``: ``hallq notify`` as a process, sending to a stand-in for the SMS gateway.

The demo never reaches a real 政务短信平台: :class:`notify.standin.StandInGateway` listens on a free
loopback port and prints one line per message, the number masked. The notifier runs as it would in a
hall (``hallq notify --device N1 --config … --mqtt …``) from a small hall file written beside the demo's
database: the hall's id and time zone, its own ``[notify]`` table (or the defaults) with the gateway's
``url`` and secret replaced by the stand-in's, and a short ``poll_s``. The simulated citizens then give
consent sometimes (:data:`DEMO_CONSENT`, :class:`launcher.simulate.model.Behaviour`).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEMO_CONSENT = 0.3  # of the simulated citizens who give a mobile number and tick the consent
DEMO_POLL_S = 5.0


@dataclass
class DemoNotifier:
    gateway: Any  # notify.standin.StandInGateway
    process: subprocess.Popen[bytes]
    device: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.gateway.stop()


def notify_device(hall: Any) -> str | None:
    """The hall's first ``notify`` device, if it has one."""
    return next((d.id for d in hall.devices.values() if d.role == "notify"), None)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    return json.dumps(str(v), ensure_ascii=False)  # a JSON string is a TOML basic string


def demo_notify_file(hall: Any, table: dict[str, Any], url: str, secret_file: Path) -> str:
    """The notifier's hall file for the demo (module docstring)."""
    notify = {k: v for k, v in table.items() if k != "gateway" and not isinstance(v, dict)}
    notify["poll_s"] = min(float(notify.get("poll_s", DEMO_POLL_S)), DEMO_POLL_S)
    gateway = {k: v for k, v in dict(table.get("gateway") or {}).items()
               if k not in ("url", "secret_env", "secret_file", "format", "phone_field", "text_field",
                            "signature_header")}
    gateway.update(url=url, secret_file=str(secret_file))
    lines = ["[hall]", f"id = {_toml_value(hall.id)}", f"timezone = {_toml_value(hall.timezone)}", "", "[notify]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in notify.items()]
    lines += ["", "[notify.gateway]", *(f"{k} = {_toml_value(v)}" for k, v in gateway.items())]
    return "\n".join(lines) + "\n"


def start_demo_notifier(hall: Any, hall_file: Path, url: str, folder: Path, say: Callable[[str], None],
                        *, quiet: bool = True) -> DemoNotifier | None:
    """The stand-in gateway and ``hallq notify`` for the hall's notify device; None if the hall has none."""
    from notify.standin import StandInGateway

    device = notify_device(hall)
    if device is None:
        return None
    try:
        table = tomllib.loads(hall_file.read_text("utf-8")).get("notify") or {}
    except (OSError, tomllib.TOMLDecodeError):
        table = {}
    folder.mkdir(parents=True, exist_ok=True)
    secret = folder / "sms-stand-in.secret"
    secret.write_text(secrets.token_hex(16), encoding="utf-8")
    secret.chmod(0o600)
    gateway = StandInGateway(secret.read_bytes().strip(), say).start()
    config = folder / "notify.toml"
    config.write_text(demo_notify_file(hall, table if isinstance(table, dict) else {}, gateway.url, secret),
                      encoding="utf-8")
    argv = ["notify", "--device", device, "--config", str(config), "--mqtt", url, "--hall", hall.id,
            "--state-dir", str(folder / "notify-state")]
    process = subprocess.Popen([sys.executable, "-m", "launcher", *argv],
                               stderr=subprocess.DEVNULL if quiet else None)
    return DemoNotifier(gateway, process, device)
