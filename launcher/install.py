"""``hallq install hub|standby|web|notify|kiosk|pad|display``: set a machine up to run its part of the hall.

This file is over 400 lines because it holds every kind of machine's plan (hub, standby, the web and
notifier services, device PCs, Windows) around one ``apply``: they share the compare-then-write logic
and the broker logins, and reading them side by side is how one checks they agree.

**The hub machine** (Debian/Ubuntu): Mosquitto with the logins, ACL and TLS that
``hallq mosquitto-config`` generates (started by the packaged ``mosquitto.service`` through a
drop-in that points it at the generated config), the hub as ``hallq-hub.service``
(``Type=notify``: systemd counts it started once it answers; ``WatchdogSec=``: a hub whose worker
stops making progress is killed and restarted, see :mod:`hub.systemd_notify`;
``Restart=on-failure``), a nightly ``hallq purge`` timer, the data, log and backup directories
owned by the service user, and a journald size cap. Logs: the hub writes JSON lines to
``/var/log/hallq/hub.log`` and rotates that file itself (``--log-file``; 10 × 10 MB), so there is
no logrotate rule for it (logrotate would rotate the file under the process's feet);
Mosquitto and the hub's own start/crash lines go to the journal.

**The standby hub PC** (``hallq install standby --primary mqtt://standby:pw@hub-a:1883``): the same
Mosquitto, purge timer, journald cap and directories as the hub (its broker is the devices' second
address), and ``hallq-standby.service`` (``Restart=always``, ``Type=notify`` with the watchdog: its
status loop pings) instead of the hub's unit; the primary's
URL goes into ``/etc/hallq/standby.env`` (0600). The primary's ID key (``/var/lib/hallq/hall.key``)
must be there first: without it the install stops and says to copy it.

**The web page and the notifier** (``hallq install web|notify --device ID``): ``hallq-web.service`` and
``hallq-notify.service``, system services like the hub's (``Restart=always``, the service user, the
broker login in ``/etc/hallq/web.env`` / ``notify.env``, mode 0600, taken from the generated
``passwords.txt`` or ``--mqtt``). ``hallq install hub`` installs them too when the hall file configures
them: exactly one device of role ``web`` (resp. ``notify``, which also needs a ``[notify]`` table), or the
one ``--web ID`` / ``--notify ID`` names. ``hallq install standby`` installs only the ones it is given
(``--web W2 --notify N2``: devices of the standby PC's own, never the primary's: two PCs must never run
the same device id); on the standby they log in to the primary's broker first, then their own. A role
the hall file has but this PC gets none of is a ⚠ note (:func:`configured_services`).

**A device PC** (Linux): the app starts full screen when the kiosk user's desktop session starts.
Debian kiosks are a desktop session with automatic login (LightDM's ``autologin-user``) and the
app in the session's autostart (the XDG Autostart spec, which GNOME, Xfce, LXQt, LXDE and KDE all
honour), so that is what is written: ``~/.config/autostart/hallq-<kind>.desktop``. It hands the
session's display to the user's systemd and starts ``hallq-<kind>.service`` there, a user unit
with ``Restart=always``: an app that crashes comes back in seconds, and its output lands in the
journal. (A user unit alone, ``WantedBy=graphical-session.target``, would never start under
Xfce or LXDE, which do not reach that target on Debian 12.) **Windows**: ``--windows`` writes a
PowerShell script that registers a Task Scheduler task at logon with restart on failure.

Every file is compared first: a second run writes nothing, runs nothing and says so.
``--root DIR`` writes under DIR instead of ``/`` and runs no system command (tests, and
preparing an image); ``--dry-run`` only prints what it would do.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hallq.i18n import add_english, tr

ETC = Path("/etc/hallq")
MOSQ_DIR = Path("/etc/mosquitto/hallq")
STATE_DIR = Path("/var/lib/hallq")
LOG_DIR = Path("/var/log/hallq")
UNITS = Path("/etc/systemd/system")
HUB_UNIT = "hallq-hub.service"
STANDBY_UNIT = "hallq-standby.service"
DEVICE_KINDS = ("kiosk", "pad", "display")
SERVICE_KINDS = ("web", "notify")  # system services with a device login (the hub PC or a machine of their own)
# which hall-file roles each device app serves
KIND_ROLES = {"kiosk": ("kiosk",), "pad": ("pad", "guide", "backoffice", "admin"), "display": ("display",),
              "web": ("web",), "notify": ("notify",)}
DEFAULT_MQTT = "mqtt://127.0.0.1:1883"
WEB_SECRET = STATE_DIR / "web.secret"
NOTIFY_STATE = STATE_DIR / "notify"

SAME_DEVICE = ("设备 {device} 是配置文件里唯一的 {role} 设备，主中心（hallq install hub）已运行它；"
               "两台电脑不能运行同一台设备。在配置文件里给备用中心加一台（如 {suggest}）")

add_english({
    "将写入": "would write", "已写入": "wrote", "不变": "unchanged", "将运行": "would run", "已运行": "ran",
    "未运行（--root）": "not run (--root)",
    "已是最新，无需更改": "already installed: nothing changed",
    "安装完成": "installed",
    "配置文件 {path} 不存在": "hall file {path} does not exist",
    "设备 {device} 不在配置文件中（已有：{known}）": "device {device} is not in the hall file (known: {known})",
    "设备 {device} 的角色是 {role}，不能安装为 {kind}":
        "device {device} has role {role}; it cannot be installed as {kind}",
    "未找到 mosquitto，请先安装：sudo apt-get install mosquitto":
        "mosquitto not found; install it first: sudo apt-get install mosquitto",
    "命令失败：{cmd}": "command failed: {cmd}",
    "需要 root 权限（sudo），或用 --root DIR 写到别处": "needs root (sudo), or --root DIR to write elsewhere",
    "--watchdog-sec 至少为 2": "--watchdog-sec must be at least 2",
    "[backup] dir 应为绝对路径：{dir}": "[backup] dir must be an absolute path: {dir}",
    "未找到主中心的密钥文件 {path}：先把主中心的 /var/lib/hallq/hall.key 复制到这里（chown hallq，权限 0600），"
    "再安装备用中心":
        "the primary's key file {path} is missing: copy the primary's /var/lib/hallq/hall.key here first "
        "(chown hallq, mode 0600), then install the standby",
    "备用中心需要 --primary（主中心的消息服务器，standby 登录），例如 mqtt://standby:密码@hub-a:1883":
        "the standby needs --primary (the primary's broker, standby login), e.g. mqtt://standby:PASSWORD@hub-a:1883",
    "没有设备 {device} 的登录：先在 hub 电脑上运行 hallq install hub，或用 --mqtt 给出 "
    "passwords.txt 中 {device} 那一行的 URL":
        "no login for {device}: run hallq install hub on the hub PC first, or give --mqtt with {device}'s line of "
        "passwords.txt",
    "通知设备 {device} 的 [notify] 表有误：{problems}": "the [notify] table for notifier {device} is wrong: {problems}",
    "未安装短信通知服务 {device}：{why}。拿到网关密钥后运行 hallq install notify --device {device} --config …":
        "the notifier {device} was not installed: {why}. Once you have the gateway's secret run hallq install notify "
        "--device {device} --config …",
    "短信网关密钥：环境变量 {name} 未设置，也不在 {env} 中（sudo env {name}=… hallq install …，或改用 secret_file）":
        "the SMS gateway secret: {name} is not set and not in {env} (sudo env {name}=… hallq install …, or use "
        "secret_file)",
    "--web-listen 应为 主机:端口，例如 127.0.0.1:8080：{text}": "--web-listen must be HOST:PORT such as "
                                                          "127.0.0.1:8080: {text}",
    "配置文件里有 {n} 台 {role} 设备：本机不安装；用 --{role} 设备号 选本机运行的那一台，其余在各自的电脑上运行 "
    "hallq install {role} --device …":
        "the hall file has {n} {role} devices: none installed here; pick this PC's one with --{role} ID, and run "
        "hallq install {role} --device … on each other one's machine",
    "备用中心没有安装 {role} 服务（配置文件里有 {ids}）：主中心电脑坏了以后就没有{what}。"
    "在配置文件里给本机加一台自己的 {role} 设备（如 {suggest}），再用 --{role} {suggest} 安装":
        "no {role} service on the standby (the hall file has {ids}): once the primary PC is lost there is no "
        "{what_en}. Give this PC a {role} device of its own in the hall file (e.g. {suggest}) and install with "
        "--{role} {suggest}",
    "短信通知": "text messages", "扫码查询页面": "phone page",
    SAME_DEVICE:
        "{device} is the hall file's only {role} device and the primary (hallq install hub) runs it; two PCs must "
        "never run the same device. Add one for the standby to the hall file (e.g. {suggest})",
    "--notify {device}：配置文件没有 [notify] 表": "--notify {device}: the hall file has no [notify] table",
    "备用中心的网页密钥 {path} 不存在：请把主中心的 /var/lib/hallq/web.secret 复制过来（chown hallq，权限 0600），"
    "否则切换前打开的评价表单在切换后提交不了":
        "the standby has no web secret {path}: copy the primary's /var/lib/hallq/web.secret here (chown hallq, "
        "mode 0600), or a rating form opened before a failover cannot be sent after it",
})


@dataclass
class Plan:
    """What an install does: files (path under the target root → text, mode, owner) and commands."""

    root: Path
    files: list[tuple[Path, str, int, str, str]] = field(default_factory=list)
    dirs: list[tuple[Path, int, str]] = field(default_factory=list)
    commands: list[list[str]] = field(default_factory=list)
    # (group, command): run only when a file of that group changed ("" : any file)
    changed_commands: list[tuple[str, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # printed after the install (what it left for elsewhere)

    def file(self, path: Path, text: str, mode: int = 0o644, owner: str = "root", group: str = "") -> None:
        self.files.append((path, text, mode, owner, group))

    def at(self, path: Path) -> Path:
        return self.root / path.relative_to("/")


def _same(target: Path, text: str, mode: int) -> bool:
    try:
        return target.read_text(encoding="utf-8") == text and (target.stat().st_mode & 0o7777) == mode
    except (OSError, UnicodeDecodeError):
        return False


def _chown(path: Path, owner: str) -> None:
    try:
        entry = pwd.getpwnam(owner)
    except KeyError:
        return
    os.chown(path, entry.pw_uid, entry.pw_gid)


def apply(plan: Plan, *, dry_run: bool, out: Any = None) -> bool:
    """Write what differs, run the commands (only on the real root); True if anything changed."""
    out = out or sys.stdout
    real = plan.root == Path("/")
    _run_commands(plan.commands, real=real, dry_run=dry_run, out=out)  # the service user before its files
    changed = bool(plan.commands)
    groups: set[str] = set()
    for path, mode, owner in plan.dirs:
        target = plan.at(path)
        if target.is_dir():
            continue
        changed = True
        print(f"  {tr('将写入') if dry_run else tr('已写入')} {target}/", file=out)
        if not dry_run:
            target.mkdir(parents=True, exist_ok=True)
            target.chmod(mode)
            if real:
                _chown(target, owner)
    for path, text, mode, owner, group in plan.files:
        target = plan.at(path)
        if _same(target, text, mode):
            print(f"  {tr('不变')} {target}", file=out)
            continue
        changed = True
        groups.add(group)
        print(f"  {tr('将写入') if dry_run else tr('已写入')} {target}", file=out)
        if dry_run:
            continue
        _make_parents(target, owner if real else "")
        tmp = target.with_name(f".{target.name}.hallq-new")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)  # a secret is never world-readable
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        tmp.chmod(mode)
        if real:
            _chown(tmp, owner)
        os.replace(tmp, target)
    _run_commands([cmd for group, cmd in plan.changed_commands if changed and (not group or group in groups)],
                  real=real, dry_run=dry_run, out=out)
    return changed


def _make_parents(target: Path, owner: str) -> None:
    """Create the missing directories above ``target``, each owned by ``owner`` (a kiosk user's
    ~/.config/systemd/user must stay theirs)."""
    missing = [d for d in target.parents if not d.exists()]
    for directory in reversed(missing):
        directory.mkdir()
        if owner:
            _chown(directory, owner)


def _run_commands(commands: list[list[str]], *, real: bool, dry_run: bool, out: Any) -> None:
    for cmd in commands:
        line = shlex.join(cmd)
        if dry_run:
            print(f"  {tr('将运行')} {line}", file=out)
        elif not real:
            print(f"  {tr('未运行（--root）')} {line}", file=out)
        else:
            print(f"  {tr('已运行')} {line}", file=out)
            if subprocess.run(cmd, check=False).returncode != 0:
                raise InstallError(tr("命令失败：{cmd}", cmd=line))


class InstallError(Exception):
    pass


class MissingSecret(InstallError):
    """The SMS gateway's secret is not at hand: ``hallq install hub`` sets the rest up and says so."""


# ---------------------------------------------------------------- the hub machine


def hallq_command() -> str:
    """The ``hallq`` launcher of this installation (the venv's script), for ExecStart."""
    beside = Path(sys.executable).parent / "hallq"
    if beside.exists():
        return str(beside)
    return shutil.which("hallq") or str(beside)


def hub_unit(*, hallq: str, user: str, config: Path, db: Path, watchdog_s: int, backup_dir: str | None) -> str:
    writable = f"ReadWritePaths={backup_dir}\n" if backup_dir else ""
    mounts = f"RequiresMountsFor={backup_dir}\n" if backup_dir else ""
    return f"""# Generated by `hallq install hub`; see docs/deploy.md. Re-run the install rather than edit.
[Unit]
Description=hallq hall hub (政务服务大厅 排队叫号 hub)
Documentation=https://github.com/hallq/hallq/blob/main/docs/deploy.md
Wants=network-online.target mosquitto.service
After=network-online.target mosquitto.service
{mounts}# a hub that keeps failing at start is left failed after 5 tries in 5 minutes: `hallq doctor` says why
StartLimitIntervalSec=300
StartLimitBurst=5

[Service]
# READY=1 once the hub answers; WATCHDOG=1 from its worker thread every WatchdogSec/2 while it makes
# progress: a hung worker (deadlock, stuck disk, SIGSTOP) is killed (SIGABRT) and restarted.
Type=notify
NotifyAccess=main
WatchdogSec={watchdog_s}
Restart=on-failure
RestartSec=2
TimeoutStartSec=60
TimeoutStopSec=20
User={user}
Group={user}
# HALLQ_MQTT: the hub's broker login (mode 0600, read by systemd as root; the hub reads it from its
# environment, so the password is not on a command line for `ps` to show)
EnvironmentFile={ETC}/hub.env
ExecStart={hallq} --log-file {LOG_DIR}/hub.log hub --config {config} --db {db}
StateDirectory=hallq
StateDirectoryMode=0750
LogsDirectory=hallq
LogsDirectoryMode=0750
UMask=0027
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
# read-only, not hidden: a hallq (or its Python) installed under a home directory must still start
ProtectHome=read-only
{writable}
[Install]
WantedBy=multi-user.target
"""


def standby_unit(*, hallq: str, user: str, config: Path, db: Path, watchdog_s: int, backup_dir: str | None) -> str:
    writable = f"ReadWritePaths={backup_dir}\n" if backup_dir else ""
    mounts = f"RequiresMountsFor={backup_dir}\n" if backup_dir else ""
    return f"""# Generated by `hallq install standby`; see docs/deploy.md. Re-run the install rather than edit.
[Unit]
Description=hallq standby hub (政务服务大厅 备用中心)
Documentation=https://github.com/hallq/hallq/blob/main/docs/deploy.md
Wants=network-online.target mosquitto.service
After=network-online.target mosquitto.service
Conflicts={HUB_UNIT}
{mounts}
[Service]
# follows the primary; answers devices only once promoted (hallq standby promote, or the witness's lease),
# then in this same process: a restart after a promotion starts as a standby again (docs/operations.md)
# READY=1 once following; WATCHDOG=1 while the standby's loop writes its status (every second), and after a
# promotion from the hub's worker, as hallq-hub.service: a standby that hangs is killed and restarted.
Type=notify
NotifyAccess=main
WatchdogSec={watchdog_s}
Restart=always
RestartSec=2
TimeoutStartSec=60
TimeoutStopSec=20
User={user}
Group={user}
# HALLQ_MQTT: this PC's own broker (the hub login: the promoted hub answers there);
# HALLQ_PRIMARY: the primary's broker as the standby login. Both 0600, off the command line.
EnvironmentFile={ETC}/hub.env
EnvironmentFile={ETC}/standby.env
ExecStart={hallq} --log-file {LOG_DIR}/standby.log standby --config {config} --db {db}
StateDirectory=hallq
StateDirectoryMode=0750
LogsDirectory=hallq
LogsDirectoryMode=0750
UMask=0027
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=read-only
{writable}
[Install]
WantedBy=multi-user.target
"""


def service_unit(kind: str, *, hallq: str, user: str, app_args: list[str], description: str) -> str:
    """``hallq-web.service`` / ``hallq-notify.service``: a device of the hall as a system service."""
    command = shlex.join([hallq, "--log-file", str(LOG_DIR / f"{kind}.log"), *app_args])
    return f"""# Generated by `hallq install {kind}` (or `hallq install hub`); see docs/deploy.md and docs/{kind}.md.
[Unit]
Description={description}
Documentation=https://github.com/hallq/hallq/blob/main/docs/{kind}.md
Wants=network-online.target
After=network-online.target mosquitto.service {HUB_UNIT}
StartLimitIntervalSec=300
StartLimitBurst=10

[Service]
Type=simple
Restart=always
RestartSec=3
TimeoutStopSec=15
User={user}
Group={user}
# HALLQ_MQTT: this device's broker login (mode 0600; not on the command line for `ps` to show)
EnvironmentFile={ETC}/{kind}.env
ExecStart={command}
StateDirectory=hallq
StateDirectoryMode=0750
LogsDirectory=hallq
LogsDirectoryMode=0750
UMask=0077
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=read-only

[Install]
WantedBy=multi-user.target
"""


def web_args(device_id: str, hall_id: str, listen: str) -> list[str]:
    return ["web", "--device", device_id, "--hall", hall_id, "--listen", listen, "--secret-file", str(WEB_SECRET)]


def notify_args(device_id: str, config: Path) -> list[str]:
    return ["notify", "--device", device_id, "--config", str(config), "--state-dir", str(NOTIFY_STATE)]


def _env_values(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    return {k.strip(): v for k, sep, v in (line.partition("=") for line in lines) if sep and not k.startswith("#")}


def _check_listen(text: str) -> str:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InstallError(tr("--web-listen 应为 主机:端口，例如 127.0.0.1:8080：{text}", text=text))
    return text


def _login(device_id: str, secrets: dict[str, str], where: str | None, mqtt: str | None) -> str:
    """This device's broker URL: ``--mqtt`` as given, else its line of the generated passwords."""
    if mqtt:
        return mqtt
    if device_id not in secrets or not where:
        raise InstallError(tr("没有设备 {device} 的登录：先在 hub 电脑上运行 hallq install hub，或用 --mqtt 给出 "
                              "passwords.txt 中 {device} 那一行的 URL", device=device_id))
    return f"mqtt://{device_id}:{secrets[device_id]}@{where}"


def add_service(plan: Plan, kind: str, device: Any, doc: dict[str, Any], config: Path, *, hall_id: str, user: str,
                hallq: str, url: str, web_listen: str) -> None:
    """The files of ``hallq-<kind>.service`` for ``device`` (web or notify), and their commands."""
    env: dict[str, str] = {"HALLQ_MQTT": url}
    if kind == "web":
        args = web_args(device.id, hall_id, _check_listen(web_listen))
        description = f"hallq phone page {device.id} (扫码查询办理进度)"
    else:
        from notify.config import NotifyConfigError, parse

        gateway = (doc.get("notify") or {}).get("gateway") if isinstance(doc.get("notify"), dict) else None
        secret_env = gateway.get("secret_env") if isinstance(gateway, dict) else None
        env_file = ETC / "notify.env"
        if isinstance(secret_env, str) and secret_env:
            value = os.environ.get(secret_env) or _env_values(plan.at(env_file)).get(secret_env)
            if not value:
                raise MissingSecret(tr("短信网关密钥：环境变量 {name} 未设置，也不在 {env} 中（sudo env {name}=… hallq "
                                      "install …，或改用 secret_file）", name=secret_env, env=env_file))
            env[secret_env] = value
        try:
            parse(doc, env={**os.environ, **env}, base=config.parent)
        except NotifyConfigError as exc:
            raise InstallError(tr("通知设备 {device} 的 [notify] 表有误：{problems}", device=device.id,
                                  problems="；".join(exc.problems))) from None
        args = notify_args(device.id, ETC / "hall.toml")
        description = f"hallq notifier {device.id} (短信通知)"
    unit = f"hallq-{kind}.service"
    plan.file(ETC / f"{kind}.env", "".join(f"{k}={v}\n" for k, v in env.items()), 0o600, group=kind)
    plan.file(UNITS / unit, service_unit(kind, hallq=hallq, user=user, app_args=args, description=description),
              group=kind)
    plan.changed_commands += [("", ["systemctl", "enable", unit]), (kind, ["systemctl", "restart", unit])]


def configured_services(hall: Any, doc: dict[str, Any], chosen: dict[str, str | None] | None = None, *,
                        standby: bool = False) -> tuple[dict[str, Any], list[str]]:
    """What ``hallq install hub|standby`` sets up beside the hub: kind → the device of that role this PC runs,
    and ⚠ notes for a role the hall file has but this PC gets none of.

    ``chosen`` holds ``--web`` / ``--notify``: a device id, ``"none"``, or None (not given). Not given, the
    primary runs the one device of a role (a notifier only with a ``[notify]`` table) and the standby none:
    the primary's would then run twice. A standby given the role's only device is refused (the primary runs
    it by default; two PCs must never run the same device id)."""
    found: dict[str, Any] = {}
    notes: list[str] = []
    for kind in SERVICE_KINDS:
        devices = [d for d in hall.devices.values() if str(d.role.value) == kind]
        given = (chosen or {}).get(kind)
        suggest = _next_id(hall, devices[0].id if devices else ("W1" if kind == "web" else "N1"))
        if given == "none":
            continue
        if given:
            device = _role_device(hall, given, kind)
            if kind == "notify" and "notify" not in doc:
                raise InstallError(tr("--notify {device}：配置文件没有 [notify] 表", device=given))
            if standby and len(devices) == 1:
                raise InstallError(tr(SAME_DEVICE, device=given, role=kind, suggest=suggest))
            found[kind] = device
        elif standby and len(devices) == 1 and (kind != "notify" or "notify" in doc):
            what = {"web": "扫码查询页面", "notify": "短信通知"}[kind]
            notes.append(tr("备用中心没有安装 {role} 服务（配置文件里有 {ids}）：主中心电脑坏了以后就没有{what}。"
                            "在配置文件里给本机加一台自己的 {role} 设备（如 {suggest}），再用 --{role} {suggest} 安装",
                            role=kind, ids=devices[0].id, what=what, what_en=tr(what), suggest=suggest))
        elif not standby and len(devices) == 1 and (kind != "notify" or "notify" in doc):
            found[kind] = devices[0]
        elif len(devices) > 1:
            notes.append(tr("配置文件里有 {n} 台 {role} 设备：本机不安装；用 --{role} 设备号 选本机运行的那一台，"
                            "其余在各自的电脑上运行 hallq install {role} --device …", n=len(devices), role=kind))
    return found, notes


def _next_id(hall: Any, first: str) -> str:
    """A free device id like ``first`` with the next number (N1 → N2), to suggest."""
    stem = first.rstrip("0123456789") or first
    n = 2
    while f"{stem}{n}" in hall.devices:
        n += 1
    return f"{stem}{n}"


def _role_device(hall: Any, device: str, kind: str) -> Any:
    known: dict[str, Any] = dict(hall.devices)
    if device not in known:
        raise InstallError(tr("设备 {device} 不在配置文件中（已有：{known}）", device=device,
                              known="、".join(sorted(known)) or "-"))
    role = str(known[device].role.value)
    if role not in KIND_ROLES[kind]:
        raise InstallError(tr("设备 {device} 的角色是 {role}，不能安装为 {kind}", device=device, role=role, kind=kind))
    return known[device]


def purge_units(*, hallq: str, user: str, config: Path, db: Path) -> tuple[str, str]:
    service = f"""# Generated by `hallq install hub`: blank personal fields after [policy] retention_days.
[Unit]
Description=hallq: purge personal data older than the retention (个人信息定期清除)
After={HUB_UNIT}

[Service]
Type=oneshot
User={user}
Group={user}
ExecStart={hallq} purge --db {db} --config {config}
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths={db.parent}
"""
    timer = """# Generated by `hallq install hub`.
[Unit]
Description=hallq: nightly purge of personal data

[Timer]
OnCalendar=*-*-* 02:30:00
Persistent=true

[Install]
WantedBy=timers.target
"""
    return service, timer


MOSQUITTO_DROPIN = f"""# Generated by `hallq install hub`: the packaged mosquitto.service runs the hall's config
# (logins, ACL, TLS from `hallq mosquitto-config`) instead of /etc/mosquitto/mosquitto.conf.
[Service]
ExecStart=
ExecStart=/usr/sbin/mosquitto -c {MOSQ_DIR}/mosquitto.conf
Restart=on-failure
RestartSec=2
"""

JOURNALD = """# Generated by `hallq install hub`: the journal (Mosquitto, the hub's start and crash lines)
# may not fill a small hub PC's disk; the hub's own log is /var/log/hallq/hub.log, rotated by hallq.
[Journal]
SystemMaxUse=500M
"""


def _mosquitto_files(hall: Any, target_dir: Path, args: argparse.Namespace) -> tuple[dict[str, tuple[str, int]], str]:
    """The generated broker files (name → text, mode), keeping the passwords (and their hashes,
    when they still match) already installed: re-running changes nothing; and the hub's password."""
    from hub.security.acl import HUB_USER
    from hub.security.mosquitto import TlsListener, config_text, generate
    from hub.security.passwords import check_password, read_password_file

    tls = None
    if args.tls_port:
        tls = TlsListener(args.tls_port, str(Path(args.cafile).resolve()), str(Path(args.certfile).resolve()),
                          str(Path(args.keyfile).resolve()), args.tls_bind)
    with tempfile.TemporaryDirectory() as tmp:
        old_secrets = target_dir / "passwords.txt"
        if old_secrets.exists():
            shutil.copyfile(old_secrets, Path(tmp) / "passwords.txt")
        gen = generate(hall, tmp, listen=args.listen, tls=tls)
        files = {name: ((Path(tmp) / name).read_text(encoding="utf-8"), mode)
                 for name, mode in (("passwords.txt", 0o600), ("acl_file", 0o640), ("password_file", 0o640))}
    try:
        old_hashes = read_password_file(target_dir / "password_file")
    except OSError:
        old_hashes = {}
    if set(old_hashes) == set(gen.users) and all(check_password(pw, old_hashes[u]) for u, pw in gen.users.items()):
        files["password_file"] = ((target_dir / "password_file").read_text(encoding="utf-8"), 0o640)
    conf = config_text(MOSQ_DIR / "password_file", MOSQ_DIR / "acl_file", args.listen, tls)
    files["mosquitto.conf"] = (conf, 0o644)
    return files, gen.users[HUB_USER]


def _backup_dir(config: Path) -> str | None:
    """``[backup] dir`` of the hall file (the hub writes its copies there; see docs/config.md)."""
    with config.open("rb") as f:
        table = tomllib.load(f).get("backup")
    directory = table.get("dir") if isinstance(table, dict) else None
    return str(directory) if isinstance(directory, str) and directory else None


def plan_hub(args: argparse.Namespace, root: Path, *, standby: bool = False) -> Plan:
    """The hub PC (or, ``standby``, the standby hub's PC: the same broker and jobs, the standby's unit)."""
    from hub.config import load_hall

    config = Path(args.config)
    hall = load_hall(config)  # ConfigError: reported by the caller, nothing written
    if args.watchdog_sec < 2:
        raise InstallError(tr("--watchdog-sec 至少为 2"))
    plan = Plan(root)
    user = args.user
    installed_config = ETC / "hall.toml"
    db = STATE_DIR / "hall.db"
    hallq = args.hallq or hallq_command()
    backup = _backup_dir(config)
    if backup and not Path(backup).is_absolute():
        raise InstallError(tr("[backup] dir 应为绝对路径：{dir}", dir=backup))
    if standby:
        if not args.primary:
            raise InstallError(tr("备用中心需要 --primary（主中心的消息服务器，standby 登录），例如 "
                                  "mqtt://standby:密码@hub-a:1883"))
        key = db.with_suffix(".key")  # where hallq standby looks for it (hub/ha/standby.py)
        if not plan.at(key).is_file():
            raise InstallError(tr("未找到主中心的密钥文件 {path}：先把主中心的 /var/lib/hallq/hall.key 复制到这里"
                                  "（chown hallq，权限 0600），再安装备用中心", path=plan.at(key)))
    plan.dirs += [(ETC, 0o755, "root"), (MOSQ_DIR, 0o755, "root"), (STATE_DIR, 0o750, user), (LOG_DIR, 0o750, user)]
    if backup:
        plan.dirs.append((Path(backup), 0o750, user))
    text = config.read_text(encoding="utf-8")
    plan.file(installed_config, text, 0o644, group="hub")
    mosq, hub_password = _mosquitto_files(hall, plan.at(MOSQ_DIR), args)
    for name, (body, mode) in mosq.items():
        plan.file(MOSQ_DIR / name, body, mode, "root" if name == "passwords.txt" else "mosquitto", group="broker")
    host, _, port = args.listen.rpartition(":")
    host = "127.0.0.1" if host in ("", "0.0.0.0", "::", "[::]") else host  # the hub is on this machine
    plan.file(ETC / "hub.env", f"HALLQ_MQTT=mqtt://hub:{hub_password}@{host}:{port}\n", 0o600, group="hub")
    plan.file(UNITS / "mosquitto.service.d" / "hallq.conf", MOSQUITTO_DROPIN, group="broker")
    if standby:
        unit = STANDBY_UNIT
        plan.file(ETC / "standby.env", f"HALLQ_PRIMARY={args.primary}\n", 0o600, group="hub")
        plan.file(UNITS / unit, standby_unit(hallq=hallq, user=user, config=installed_config, db=db,
                                             watchdog_s=args.watchdog_sec, backup_dir=backup), group="hub")
    else:
        unit = HUB_UNIT
        plan.file(UNITS / unit, hub_unit(hallq=hallq, user=user, config=installed_config, db=db,
                                         watchdog_s=args.watchdog_sec, backup_dir=backup), group="hub")
    service, timer = purge_units(hallq=hallq, user=user, config=installed_config, db=db)
    plan.file(UNITS / "hallq-purge.service", service)
    plan.file(UNITS / "hallq-purge.timer", timer)
    plan.file(Path("/etc/systemd/journald.conf.d/hallq.conf"), JOURNALD, group="journal")
    if root == Path("/"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            plan.commands.append(["useradd", "--system", "--home-dir", str(STATE_DIR), "--no-create-home",
                                  "--shell", "/usr/sbin/nologin", user])
    plan.changed_commands += [
        ("", ["systemctl", "daemon-reload"]),
        ("journal", ["systemctl", "restart", "systemd-journald.service"]),
        ("", ["systemctl", "enable", "mosquitto.service", unit, "hallq-purge.timer"]),
        ("broker", ["systemctl", "restart", "mosquitto.service"]),
        ("hub", ["systemctl", "restart", unit]),
        ("", ["systemctl", "start", "hallq-purge.timer"]),
    ]
    # the phone page and the notifier: where the hall file gives this PC a device (configured_services)
    doc = tomllib.loads(text)
    chosen = {kind: getattr(args, kind, None) for kind in SERVICE_KINDS}
    services, plan.notes = configured_services(hall, doc, chosen, standby=standby)
    secrets = {line.split()[0]: line.split()[2] for line in mosq["passwords.txt"][0].splitlines()
               if len(line.split()) >= 3 and not line.startswith("#")}
    # on the standby PC they reach the hub on the primary's broker first, then on this PC's own (after a promotion)
    where = f"{_broker_host(args.primary)},{host}:{port}" if standby else f"{host}:{port}"
    if standby and "web" in services and not plan.at(WEB_SECRET).is_file():
        plan.notes.append(tr("备用中心的网页密钥 {path} 不存在：请把主中心的 /var/lib/hallq/web.secret 复制过来"
                             "（chown hallq，权限 0600），否则切换前打开的评价表单在切换后提交不了", path=WEB_SECRET))
    for kind, device in services.items():
        try:
            add_service(plan, kind, device, doc, config, hall_id=hall.id, user=user, hallq=hallq,
                        url=_login(device.id, secrets, where, None), web_listen=args.web_listen)
        except MissingSecret as exc:  # the hall runs without messages until IT has the gateway's secret
            plan.notes.append(tr("未安装短信通知服务 {device}：{why}。拿到网关密钥后运行 hallq install notify "
                                 "--device {device} --config …", device=device.id, why=exc))
    return plan


def _broker_host(url: str) -> str:
    """``host:port`` of a broker URL's first address (``mqtt://standby:pw@hub-a:1883`` → ``hub-a:1883``)."""
    rest = url.partition("://")[2] or url
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    hosts = rest[:cut].rpartition("@")[2].split(",")[0]
    return hosts if ":" in hosts else f"{hosts}:1883"


def plan_service(args: argparse.Namespace, root: Path) -> Plan:
    """``hallq install web|notify --device ID``: that device as a system service on this machine."""
    from hub.security.passwords import read_secrets

    kind = args.kind
    config = Path(args.config)
    device = _device(config, args.device, kind)
    from hub.config import load_hall

    hall = load_hall(config)
    text = config.read_text(encoding="utf-8")
    plan = Plan(root)
    plan.dirs += [(ETC, 0o755, "root"), (STATE_DIR, 0o750, args.user), (LOG_DIR, 0o750, args.user)]
    plan.file(ETC / "hall.toml", text, 0o644, group=kind)
    try:
        secrets = read_secrets(plan.at(MOSQ_DIR / "passwords.txt"))
    except OSError:
        secrets = {}
    where = None
    hub_url = _env_values(plan.at(ETC / "hub.env")).get("HALLQ_MQTT", "")
    if hub_url:
        where = hub_url.rpartition("@")[2]
    add_service(plan, kind, device, tomllib.loads(text), config, hall_id=hall.id, user=args.user,
                hallq=args.hallq or hallq_command(), url=_login(device.id, secrets, where, args.mqtt),
                web_listen=args.web_listen)
    plan.changed_commands.insert(0, ("", ["systemctl", "daemon-reload"]))
    if root == Path("/"):
        try:
            pwd.getpwnam(args.user)
        except KeyError:
            plan.commands.append(["useradd", "--system", "--home-dir", str(STATE_DIR), "--no-create-home",
                                  "--shell", "/usr/sbin/nologin", args.user])
    return plan


# ---------------------------------------------------------------- device PCs


def _device(config: Path, device: str, kind: str) -> Any:
    from hub.config import load_hall

    return _role_device(load_hall(config), device, kind)


def device_args(kind: str, device: Any) -> list[str]:
    """The app's own arguments (after ``hallq``), full screen."""
    args = [kind, "--device", device.id]
    if kind == "pad" and str(device.role.value) in ("guide", "admin"):
        args += ["--role", "guide"]
    if kind in ("kiosk", "pad"):
        args.append("--fullscreen")
    return args  # a display is full screen unless --windowed


def _home(user: str) -> Path:
    try:
        return Path(pwd.getpwnam(user).pw_dir)
    except KeyError:
        return Path("/home") / user


def user_unit(kind: str, device_id: str, hallq: str, app_args: list[str]) -> str:
    command = shlex.join([hallq, *app_args])
    return f"""# Generated by `hallq install {kind}`; started by ~/.config/autostart/hallq-{kind}.desktop.
[Unit]
Description=hallq {kind} {device_id} (full screen)
# a session that ends stops the app; the autostart entry starts it again at the next login
PartOf=graphical-session.target

[Service]
Type=simple
# HALLQ_MQTT: this device's broker URL with its password (mode 0600)
EnvironmentFile=%h/.config/hallq/{device_id}.env
ExecStart={command}
Restart=always
RestartSec=3
"""


def autostart_entry(kind: str) -> str:
    unit = f"hallq-{kind}.service"
    # the Desktop Entry spec's quoting: one double-quoted argument (no " ` $ \\ inside to escape)
    script = ("systemctl --user import-environment DISPLAY WAYLAND_DISPLAY XAUTHORITY XDG_RUNTIME_DIR; "
              f"exec systemctl --user restart {unit}")
    return f"""[Desktop Entry]
Type=Application
Name=hallq {kind}
Comment=Generated by `hallq install {kind}`: start the hall app full screen at login
Exec=sh -c "{script}"
X-GNOME-Autostart-enabled=true
NoDisplay=true
"""


def lightdm_autologin(user: str) -> str:
    return f"""# Generated by `hallq install`: this PC logs its kiosk user in at boot (LightDM).
[Seat:*]
autologin-user={user}
autologin-user-timeout=0
"""


def _ps_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def windows_script(kind: str, device_id: str, app_args: list[str], mqtt: str, hallq: str) -> str:
    """A PowerShell script (run once, as the kiosk user or an administrator) registering a Task
    Scheduler task that starts the app at logon and restarts it when it fails."""
    arguments = " ".join(f'"{a}"' for a in [*app_args, "--mqtt", mqtt])
    return f"""# Generated by `hallq install {kind} --device {device_id} --windows`; see docs/deploy.md.
# Run in PowerShell as the user this PC logs in as (or as an administrator with -User):
#   powershell -ExecutionPolicy Bypass -File hallq-{kind}-{device_id}.ps1
# Running it again replaces the task with the same settings (nothing else changes).
param(
    [string]$User = "$env:USERDOMAIN\\$env:USERNAME",
    [string]$Hallq = {_ps_quote(hallq)}
)
$ErrorActionPreference = 'Stop'
$TaskName = {_ps_quote(f"hallq-{kind}-{device_id}")}
if (-not (Test-Path -LiteralPath $Hallq)) {{
    throw "未找到 hallq（hallq not found）: $Hallq — install hallq first, or pass -Hallq PATH"
}}
$Action = New-ScheduledTaskAction -Execute $Hallq -Argument {_ps_quote(arguments)}
$Trigger = New-ScheduledTaskTrigger -AtLogOn -User $User
# restart every minute after a failure, for ever; no time limit; start even on battery
$Settings = New-ScheduledTaskSettingsSet -RestartCount 9999 -RestartInterval (New-TimeSpan -Minutes 1) `
    -ExecutionTimeLimit (New-TimeSpan -Seconds 0) -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries `
    -MultipleInstances IgnoreNew
$Principal = New-ScheduledTaskPrincipal -UserId $User -LogonType Interactive -RunLevel Limited
Register-ScheduledTask -TaskName $TaskName -Action $Action -Trigger $Trigger -Settings $Settings `
    -Principal $Principal -Description 'hallq {kind} {device_id}: full screen at logon' -Force | Out-Null
Write-Host "已注册计划任务 (task registered): $TaskName — starts at the next logon of $User"
"""


def plan_device(args: argparse.Namespace, root: Path) -> Plan:
    kind = args.kind
    device = _device(Path(args.config), args.device, kind)
    app = device_args(kind, device)
    plan = Plan(root)
    if args.windows:
        out = Path(args.out or ".").resolve()
        hallq = args.hallq or r"C:\hallq\.venv\Scripts\hallq.exe"
        plan.root = Path("/")
        plan.file(out / f"hallq-{kind}-{device.id}.ps1",
                  windows_script(kind, device.id, app, args.mqtt or DEFAULT_MQTT, hallq))
        return plan
    hallq = args.hallq or hallq_command()
    user = args.user
    home = _home(user)
    config_dir = home / ".config"
    plan.file(config_dir / "hallq" / f"{device.id}.env", f"HALLQ_MQTT={args.mqtt or DEFAULT_MQTT}\n", 0o600, user)
    plan.file(config_dir / "systemd" / "user" / f"hallq-{kind}.service", user_unit(kind, device.id, hallq, app),
              0o644, user)
    plan.file(config_dir / "autostart" / f"hallq-{kind}.desktop", autostart_entry(kind), 0o644, user)
    if args.autologin:
        plan.file(Path("/etc/lightdm/lightdm.conf.d/50-hallq-autologin.conf"), lightdm_autologin(user))
    return plan


# ---------------------------------------------------------------- the command


def register(sub: Any) -> None:
    p = sub.add_parser("install", help="set this machine up: the hub (or standby, web page, notifier) as services, "
                                       "or a device app at boot")
    p.add_argument("kind", choices=("hub", "standby", *SERVICE_KINDS, *DEVICE_KINDS), help="what this machine runs")
    p.add_argument("--config", required=True, help="hall file (TOML); see docs/config.md")
    p.add_argument("--root", default="/", help="write everything under this directory instead of / (no commands)")
    p.add_argument("--dry-run", action="store_true", help="print what would be written and run; change nothing")
    p.add_argument("--user", default="hallq",
                   help="hub: the service user; device: the user whose session runs the app (default %(default)s)")
    p.add_argument("--hallq", help="path of the hallq command to run (default: this installation's)")
    hub = p.add_argument_group("hub")
    hub.add_argument("--listen", default="0.0.0.0:1883", help="Mosquitto's plain listener (default %(default)s)")
    hub.add_argument("--tls-port", type=int, help="also a TLS listener on this port (needs the three files below)")
    hub.add_argument("--tls-bind", default="0.0.0.0", help="address of the TLS listener (default %(default)s)")
    hub.add_argument("--cafile", help="the hall CA certificate (PEM)")
    hub.add_argument("--certfile", help="the broker's certificate (PEM)")
    hub.add_argument("--keyfile", help="the broker's private key (PEM)")
    hub.add_argument("--watchdog-sec", type=int, default=30,
                     help="restart the hub when its worker makes no progress this long (default %(default)s s)")
    sb = p.add_argument_group("standby")
    sb.add_argument("--primary", default=os.environ.get("HALLQ_PRIMARY") or None,
                    help="the primary's broker as the standby login, e.g. mqtt://standby:pw@hub-a:1883 "
                         "(default: the environment's HALLQ_PRIMARY)")
    svc = p.add_argument_group("web, notify (and hub, standby: the web page and the notifier this PC runs)")
    svc.add_argument("--web", metavar="ID",
                     help="hub, standby: run this web device here (none: no web page here; default: on the hub, the "
                          "hall file's one web device; on the standby, none)")
    svc.add_argument("--notify", metavar="ID",
                     help="hub, standby: run this notify device here (none: no notifier here; default as for --web)")
    svc.add_argument("--web-listen", default="127.0.0.1:8080",
                     help="where hallq web listens, behind the reverse proxy (default %(default)s)")
    dev = p.add_argument_group("kiosk, pad, display")
    dev.add_argument("--device", help="this PC's device id in the hall file")
    dev.add_argument("--mqtt", default=None,
                     help=f"this device's broker URL with its password (its line of passwords.txt; default for a "
                          f"device PC {DEFAULT_MQTT}; web/notify: from the passwords.txt hallq install hub wrote)")
    dev.add_argument("--autologin", action="store_true", help="also log the --user in at boot (LightDM)")
    dev.add_argument("--windows", action="store_true",
                     help="write a PowerShell script for a Windows PC instead (Task Scheduler at logon)")
    dev.add_argument("--out", help="--windows: directory for the script (default: current directory)")
    p.set_defaults(func=cmd_install)


def cmd_install(args: argparse.Namespace) -> int:
    from hub.config import ConfigError

    root = Path(args.root).resolve()
    if not Path(args.config).is_file():
        print(f"✗ {tr('配置文件 {path} 不存在', path=args.config)}", file=sys.stderr)
        return 1
    try:
        if args.kind in ("hub", "standby"):
            if args.tls_port and not (args.cafile and args.certfile and args.keyfile):
                print("✗ --tls-port needs --cafile, --certfile and --keyfile", file=sys.stderr)
                return 2
            for name in ("cafile", "certfile", "keyfile"):
                given = getattr(args, name)
                if args.tls_port and not Path(given).is_file():
                    print(f"✗ --{name} {given}: 文件不存在 (no such file)", file=sys.stderr)
                    return 1
            plan = plan_hub(args, root, standby=args.kind == "standby")
        elif args.kind in SERVICE_KINDS:
            if not args.device:
                print(f"✗ hallq install {args.kind}: --device is required", file=sys.stderr)
                return 2
            plan = plan_service(args, root)
        else:
            if not args.device:
                print(f"✗ hallq install {args.kind}: --device is required", file=sys.stderr)
                return 2
            plan = plan_device(args, root)
        real = plan.root == Path("/") and not args.dry_run and not (args.kind in DEVICE_KINDS and args.windows)
        if real and os.geteuid() != 0:
            print(f"✗ {tr('需要 root 权限（sudo），或用 --root DIR 写到别处')}", file=sys.stderr)
            return 1
        no_mosquitto = not (shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists())
        if real and args.kind in ("hub", "standby") and no_mosquitto:
            print(f"✗ {tr('未找到 mosquitto，请先安装：sudo apt-get install mosquitto')}", file=sys.stderr)
            return 1
        changed = apply(plan, dry_run=args.dry_run)
    except (ConfigError, InstallError, ValueError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    for note in plan.notes:
        print(f"⚠ {note}")
    print(tr("安装完成") if changed else tr("已是最新，无需更改"))
    return 0
