"""``hallq install hub|kiosk|pad|display``: set a machine up to run its part of the hall by itself.

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
DEVICE_KINDS = ("kiosk", "pad", "display")
# which hall-file roles each device app serves
KIND_ROLES = {"kiosk": ("kiosk",), "pad": ("pad", "guide", "backoffice", "admin"), "display": ("display",)}

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


def plan_hub(args: argparse.Namespace, root: Path) -> Plan:
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
    plan.dirs += [(ETC, 0o755, "root"), (MOSQ_DIR, 0o755, "root"), (STATE_DIR, 0o750, user), (LOG_DIR, 0o750, user)]
    if backup:
        plan.dirs.append((Path(backup), 0o750, user))
    plan.file(installed_config, config.read_text(encoding="utf-8"), 0o644, group="hub")
    mosq, hub_password = _mosquitto_files(hall, plan.at(MOSQ_DIR), args)
    for name, (text, mode) in mosq.items():
        plan.file(MOSQ_DIR / name, text, mode, "root" if name == "passwords.txt" else "mosquitto", group="broker")
    host, _, port = args.listen.rpartition(":")
    host = "127.0.0.1" if host in ("", "0.0.0.0", "::", "[::]") else host  # the hub is on this machine
    plan.file(ETC / "hub.env", f"HALLQ_MQTT=mqtt://hub:{hub_password}@{host}:{port}\n", 0o600, group="hub")
    plan.file(UNITS / "mosquitto.service.d" / "hallq.conf", MOSQUITTO_DROPIN, group="broker")
    plan.file(UNITS / HUB_UNIT, hub_unit(hallq=hallq, user=user, config=installed_config, db=db,
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
        ("", ["systemctl", "enable", "mosquitto.service", HUB_UNIT, "hallq-purge.timer"]),
        ("broker", ["systemctl", "restart", "mosquitto.service"]),
        ("hub", ["systemctl", "restart", HUB_UNIT]),
        ("", ["systemctl", "start", "hallq-purge.timer"]),
    ]
    return plan


# ---------------------------------------------------------------- device PCs


def _device(config: Path, device: str, kind: str) -> Any:
    from hub.config import load_hall

    hall = load_hall(config)
    known: dict[str, Any] = dict(hall.devices)
    if device not in known:
        raise InstallError(tr("设备 {device} 不在配置文件中（已有：{known}）", device=device,
                              known="、".join(sorted(known)) or "-"))
    role = str(known[device].role.value)
    if role not in KIND_ROLES[kind]:
        raise InstallError(tr("设备 {device} 的角色是 {role}，不能安装为 {kind}", device=device, role=role, kind=kind))
    return known[device]


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
        plan.file(out / f"hallq-{kind}-{device.id}.ps1", windows_script(kind, device.id, app, args.mqtt, hallq))
        return plan
    hallq = args.hallq or hallq_command()
    user = args.user
    home = _home(user)
    config_dir = home / ".config"
    plan.file(config_dir / "hallq" / f"{device.id}.env", f"HALLQ_MQTT={args.mqtt}\n", 0o600, user)
    plan.file(config_dir / "systemd" / "user" / f"hallq-{kind}.service", user_unit(kind, device.id, hallq, app),
              0o644, user)
    plan.file(config_dir / "autostart" / f"hallq-{kind}.desktop", autostart_entry(kind), 0o644, user)
    if args.autologin:
        plan.file(Path("/etc/lightdm/lightdm.conf.d/50-hallq-autologin.conf"), lightdm_autologin(user))
    return plan


# ---------------------------------------------------------------- the command


def register(sub: Any) -> None:
    p = sub.add_parser("install", help="set this machine up: the hub as services, or a device app at boot")
    p.add_argument("kind", choices=("hub", *DEVICE_KINDS), help="what this machine runs")
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
    dev = p.add_argument_group("kiosk, pad, display")
    dev.add_argument("--device", help="this PC's device id in the hall file")
    dev.add_argument("--mqtt", default="mqtt://127.0.0.1:1883",
                     help="this device's broker URL with its password (its line of passwords.txt)")
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
        if args.kind == "hub":
            if args.tls_port and not (args.cafile and args.certfile and args.keyfile):
                print("✗ --tls-port needs --cafile, --certfile and --keyfile", file=sys.stderr)
                return 2
            plan = plan_hub(args, root)
        else:
            if not args.device:
                print(f"✗ hallq install {args.kind}: --device is required", file=sys.stderr)
                return 2
            plan = plan_device(args, root)
        real = plan.root == Path("/") and not args.dry_run and not (args.kind != "hub" and args.windows)
        if real and os.geteuid() != 0:
            print(f"✗ {tr('需要 root 权限（sudo），或用 --root DIR 写到别处')}", file=sys.stderr)
            return 1
        if real and args.kind == "hub" and not (shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists()):
            print(f"✗ {tr('未找到 mosquitto，请先安装：sudo apt-get install mosquitto')}", file=sys.stderr)
            return 1
        changed = apply(plan, dry_run=args.dry_run)
    except (ConfigError, InstallError, ValueError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(tr("安装完成") if changed else tr("已是最新，无需更改"))
    return 0
