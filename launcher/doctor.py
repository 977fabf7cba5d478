"""``hallq doctor``: check this machine and say, in Chinese, what to fix.

Over 400 lines because every check lives here with its Chinese words and their English: one file IT's
checklist can be read from (docs/deploy.md mirrors it), each check a small function tested on its own.

One line per check: ✓ fine, ⚠ worth a look, ✗ must be fixed (then the exit code is 1), each
✗/⚠ with what to do. The checks, on the hub machine (no ``--device``) and on a device PC:

===============  ==========================================================================
大厅配置          the hall file loads (:func:`hub.config.load_hall`, every error with its line)
消息服务器        the broker answers on the URL, and accepts the login
时钟同步          the system clock is synchronised (``timedatectl``, else ``chronyc``), and this
                  clock's offset to the hub's, from the hub's heartbeat (``presence/hub.at``)
字体              a Chinese font, and one with CJK Extension B for rare name characters (𠮷)
打印机            ``--device`` with a printer: online, paper, cover (:mod:`printers.status`)
磁盘空间          free space where the database and the backups live
备份              the newest ``<hall>-<UTC>.db.ok`` in ``[backup] dir`` is recent (≤ 2 × every_min)
网页服务          ``hallq-web.service`` installed: its ``/healthz`` answers 200 on its ``--listen``
短信通知          ``hallq-notify.service`` installed: today's record is not mostly failures, and the
                  gateway's host accepts a TCP connection
备用中心          ``hallq-standby.service`` installed (or a status file beside ``--db``): the standby
                  writes its status and is in sync (``<db>.standby.json``, hub/ha/standby.py)
===============  ==========================================================================

The last three look at the units ``hallq install`` wrote (``--units``, default
``/etc/systemd/system``): a machine without them is not asked about them.

Logging in with a device's own login replaces that device's connection for a moment (the
broker takes the client id over; the app reconnects by itself): on a device PC run doctor
with the app stopped, or give it the ``monitor`` URL. On the hub machine the default URL is the
``monitor`` line of ``/etc/mosquitto/hallq/passwords.txt`` (never the hub's own login).
Every clock reading goes through :mod:`hallq.clock` or a clock passed in (tests pin it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hallq import clock as hallclock
from hallq.i18n import add_english, tr

OK, WARN, FAIL = "ok", "warn", "fail"
MARK = {OK: "✓", WARN: "⚠", FAIL: "✗"}
DEFAULT_DB = Path("/var/lib/hallq/hall.db")
SECRETS = Path("/etc/mosquitto/hallq/passwords.txt")
HUB_ENV = Path("/etc/hallq/hub.env")
MAX_OFFSET_S = 10.0  # a device's clock this far from the hub's: timers and shown times disagree
RARE_SAMPLE = "\U00020bb7"  # 𠮷, CJK Extension B: a real surname character outside GBK

UNREACHABLE_FIX = "检查 hub 电脑是否开机、mosquitto 是否运行（systemctl status mosquitto）、防火墙是否放行端口"
Clock = Callable[[], float]
Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str] | None"]

add_english({
    "大厅配置": "hall file", "消息服务器": "broker", "时钟同步": "clock sync", "与 hub 的时差": "offset to the hub",
    "字体": "fonts", "打印机": "printer", "磁盘空间": "disk space", "备份": "backup",
    "{path} 有效：{name}": "{path} is valid: {name}",
    "修改配置文件后再运行 hallq config check": "fix the hall file, then run hallq config check",
    "{where} 可连接，登录 {user} 被接受": "{where} reachable, login {user} accepted",
    "{where} 无法连接：{why}": "{where} unreachable: {why}",
    "{where} 拒绝登录 {user}：{why}": "{where} refused the login {user}: {why}",
    UNREACHABLE_FIX:
        "check the hub PC is on, mosquitto runs (systemctl status mosquitto) and the firewall lets the port through",
    "用 passwords.txt 中本设备那一行的 URL；新增设备后在 hub 上重新运行 hallq install hub":
        "use this device's line of passwords.txt as the URL; after adding a device re-run hallq install hub",
    "系统时钟已同步（{how}）": "system clock synchronised ({how})",
    "系统时钟未同步（{how}）": "system clock not synchronised ({how})",
    "无法确定时钟是否同步（没有 timedatectl 或 chronyc）": "cannot tell whether the clock is synchronised "
                                                       "(no timedatectl or chronyc)",
    "开启时间同步：sudo timedatectl set-ntp true，或安装 chrony 并指向本单位的时间服务器":
        "turn time sync on: sudo timedatectl set-ntp true, or install chrony pointing at your NTP server",
    "本机时钟与 hub 相差 {offset:+.1f} 秒": "this clock is {offset:+.1f} s off the hub's",
    "两台电脑都开启时间同步，并使用同一个时间服务器": "turn time sync on on both PCs, with the same NTP server",
    "hub 未在线，无法比较时钟（{why}）": "the hub is not online; clocks not compared ({why})",
    "中文字体正常，含生僻字（扩展 B）": "Chinese font present, rare characters (Extension B) too",
    "没有中文字体": "no Chinese font",
    "中文字体正常，但缺少生僻字（扩展 B）字体，𠮷 等字将打印为 □": "Chinese font present, but no font "
                                                       "for rare characters (Extension B): 𠮷 prints as □",
    "{name}：{summary}": "{name}: {summary}",
    "本设备没有配置打印机": "this device has no printer",
    "检查打印机电源、连线和纸卷，然后运行 hallq printer check --printer {name}":
        "check the printer's power, cable and paper roll, then run hallq printer check --printer {name}",
    "{path}：剩余 {free} MB": "{path}: {free} MB free",
    "{path}：只剩 {free} MB（至少需要 {need} MB）": "{path}: only {free} MB free (needs {need} MB)",
    "清理或扩容该磁盘；备份目录可放在第二块硬盘或网络共享上": "free or enlarge that disk; backups can go to a "
                                                     "second disk or a network share",
    "{path} 不存在": "{path} does not exist",
    "最新备份 {name}，{age} 分钟前": "newest backup {name}, {age} min ago",
    "最新备份 {name} 已是 {age} 分钟前（应每 {every} 分钟一次）": "newest backup {name} is {age} min old "
                                                         "(expected every {every} min)",
    "{path} 中没有通过校验的备份（*.ok）": "no checked backup (*.ok) in {path}",
    "检查 hub 是否运行（systemctl status hallq-hub）、备份目录是否已挂载且可写": "check the hub runs "
        "(systemctl status hallq-hub) and the backup directory is mounted and writable",
    "配置文件中没有 [backup] dir：hub 不做备份": "the hall file has no [backup] dir: the hub makes no backups",
    "在配置文件中加上 [backup] dir = \"/mnt/backup/hallq\"（第二块硬盘或网络共享）":
        "add [backup] dir = \"/mnt/backup/hallq\" to the hall file (a second disk or a network share)",
    "无应答": "no answer", "设备 {device} 不在配置文件中": "device {device} is not in the hall file",
    "网页服务": "phone page", "短信通知": "notifier", "备用中心": "standby",
    "{url} 正常应答": "{url} answers",
    "{url} 无法连接：{why}": "{url} unreachable: {why}",
    "{url} 应答 {status}：网页服务连不上消息服务器": "{url} answered {status}: the web server is not connected to "
                                                   "the broker",
    "检查 systemctl status hallq-web 和 journalctl -u hallq-web；网页服务的登录见 /etc/hallq/web.env":
        "check systemctl status hallq-web and journalctl -u hallq-web; its login is in /etc/hallq/web.env",
    "今天已发 {sent} 条，失败 {failed} 条": "today {sent} sent, {failed} failed",
    "今天失败 {failed} 条，只成功 {sent} 条": "today {failed} failed, only {sent} sent",
    "检查短信网关地址和密钥（[notify.gateway]），以及 journalctl -u hallq-notify 中的失败原因":
        "check the gateway's URL and secret ([notify.gateway]) and the reasons in journalctl -u hallq-notify",
    "短信网关 {where} 可连接": "SMS gateway {where} reachable",
    "短信网关 {where} 无法连接：{why}": "SMS gateway {where} unreachable: {why}",
    "检查本机能否访问政务外网或短信平台（防火墙、代理、DNS）": "check this PC reaches the gateway's network "
                                                     "(firewall, proxy, DNS)",
    "配置文件中没有 [notify.gateway] url": "the hall file has no [notify.gateway] url",
    "备用中心已同步，数据到第 {seq} 条": "standby in sync, up to row {seq}",
    "备用中心未同步（数据到第 {seq} 条）": "standby not in sync (up to row {seq})",
    "主中心拒绝向本机同步：{why}": "the primary refuses to feed this standby: {why}",
    "备用中心状态 {age} 秒未更新，可能已停止": "the standby's status is {age} s old: it may have stopped",
    "没有备用中心的状态文件 {path}": "no standby status file {path}",
    "本机已接管为主中心（任期 {epoch}）": "this PC has taken over as the primary (epoch {epoch})",
    "检查主中心是否运行、两台电脑之间的网络、主中心防火墙是否对本机开放 1883；hallq standby status --db {db}":
        "check the primary runs, the network between the two PCs and that the primary's firewall lets this PC "
        "reach 1883; hallq standby status --db {db}",
    "systemctl status hallq-standby，journalctl -u hallq-standby": "systemctl status hallq-standby, "
                                                                  "journalctl -u hallq-standby",
    "按 docs/operations.md「回切」把原主中心作为备用中心接回": "fail back as in docs/operations.md (回切)",
    "怎么修": "fix", "：": ": ", "全部正常": "all fine", "有 {n} 项必须处理": "{n} item(s) must be fixed",
})


@dataclass(frozen=True)
class Finding:
    what: str
    level: str
    text: str
    fix: str = ""

    def render(self) -> str:
        colon = tr("：")
        line = f"{MARK[self.level]} {tr(self.what)}{colon}{self.text}"
        return f"{line}\n    {tr('怎么修')}{colon}{self.fix}" if self.fix and self.level != OK else line


# ---------------------------------------------------------------- hall file


def check_hall(config: Path) -> tuple[Finding, Any]:
    from hub.config import ConfigError, load_hall

    try:
        hall = load_hall(config)
    except (ConfigError, OSError) as exc:
        return Finding("大厅配置", FAIL, str(exc), tr("修改配置文件后再运行 hallq config check")), None
    return Finding("大厅配置", OK, tr("{path} 有效：{name}", path=config, name=hall.name)), hall


def backup_settings(config: Path) -> tuple[Path | None, int]:
    """``[backup] dir`` and ``every_min`` (default 30) read as they are, with tomllib."""
    try:
        with config.open("rb") as f:
            table = tomllib.load(f).get("backup")
    except (OSError, tomllib.TOMLDecodeError):
        return None, 30
    if not isinstance(table, dict) or not isinstance(table.get("dir"), str) or not table["dir"]:
        return None, 30
    every = table.get("every_min", 30)
    return Path(table["dir"]), every if isinstance(every, int) and every > 0 else 30


# ---------------------------------------------------------------- broker


@dataclass
class Probe:
    """One connection to the broker: did it answer, accept the login, and the hub's heartbeats."""

    reached: bool = False
    refused: str = ""
    error: str = ""
    beats: list[tuple[float, float]] | None = None  # (our clock at receipt, the hub's "at")


def probe_broker(url: str, hall_id: str | None, clock: Clock, *, wait_beats: float, timeout: float = 5.0) -> Probe:
    import paho.mqtt.client as mqtt

    from hallq import protocol as p
    from hallq.client import BrokerAddress

    address = BrokerAddress.parse(url)
    result = Probe(beats=[])
    answered = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=address.username or "",
                         protocol=mqtt.MQTTv5 if address.version == 5 else mqtt.MQTTv311)
    address.configure(client)
    topic = p.Topics(hall_id).presence(p.HUB) if hall_id else None

    def on_connect(c: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any = None) -> None:
        result.reached = True
        if reason.is_failure:
            result.refused = str(reason)
        elif topic:
            c.subscribe(topic, qos=1)
        answered.set()

    def on_message(c: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            at = float(json.loads(msg.payload)["at"])
        except (ValueError, KeyError, TypeError):
            return
        assert result.beats is not None
        result.beats.append((clock(), at))

    client.on_connect = on_connect
    client.on_message = on_message
    try:
        client.connect(address.host, address.port, keepalive=10)
    except (OSError, ValueError) as exc:
        result.error = str(exc) or type(exc).__name__
        return result
    client.loop_start()
    try:
        if not answered.wait(timeout):
            result.error = tr("无应答") if not result.reached else result.error
        elif not result.refused and topic:
            # the retained beat comes first and may be a heartbeat old; wait for a live one
            deadline = time.monotonic() + wait_beats
            while time.monotonic() < deadline and len(result.beats or []) < 2:
                time.sleep(0.05)
    finally:
        client.disconnect()
        client.loop_stop()
    return result


def broker_findings(url: str, probe: Probe) -> list[Finding]:
    from hallq.client import BrokerAddress

    address = BrokerAddress.parse(url)
    where = f"{address.host}:{address.port}"
    user = address.username or "-"
    if probe.refused:
        return [Finding("消息服务器", FAIL, tr("{where} 拒绝登录 {user}：{why}", where=where, user=user,
                                                why=probe.refused),
                        tr("用 passwords.txt 中本设备那一行的 URL；新增设备后在 hub 上重新运行 hallq install hub"))]
    if not probe.reached:
        return [Finding("消息服务器", FAIL, tr("{where} 无法连接：{why}", where=where, why=probe.error or "?"),
                        tr(UNREACHABLE_FIX))]
    return [Finding("消息服务器", OK, tr("{where} 可连接，登录 {user} 被接受", where=where, user=user))]


def offset_finding(probe: Probe) -> Finding | None:
    """This clock minus the hub's, from the newest heartbeat (a live one when two arrived)."""
    if not probe.reached or probe.refused:
        return None
    if not probe.beats:
        return Finding("与 hub 的时差", WARN, tr("hub 未在线，无法比较时钟（{why}）", why="no presence/hub"))
    received, at = max(probe.beats, key=lambda b: b[1])
    offset = received - at
    text = tr("本机时钟与 hub 相差 {offset:+.1f} 秒", offset=offset)
    if abs(offset) > MAX_OFFSET_S:
        return Finding("与 hub 的时差", FAIL, text, tr("两台电脑都开启时间同步，并使用同一个时间服务器"))
    return Finding("与 hub 的时差", OK, text)


# ---------------------------------------------------------------- clock


def _run(cmd: Sequence[str]) -> subprocess.CompletedProcess[str] | None:
    if not shutil.which(cmd[0]):
        return None
    try:
        return subprocess.run(list(cmd), capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


def check_sync(run: Runner = _run) -> Finding:
    fix = tr("开启时间同步：sudo timedatectl set-ntp true，或安装 chrony 并指向本单位的时间服务器")
    r = run(["timedatectl", "show", "--property=NTPSynchronized", "--value"])
    if r is not None and r.returncode == 0 and r.stdout.strip() in ("yes", "no"):
        if r.stdout.strip() == "yes":
            return Finding("时钟同步", OK, tr("系统时钟已同步（{how}）", how="timedatectl"))
        return Finding("时钟同步", FAIL, tr("系统时钟未同步（{how}）", how="timedatectl"), fix)
    r = run(["chronyc", "-n", "tracking"])
    if r is not None and r.returncode == 0 and "Leap status" in r.stdout:
        synced = any(line.split(":", 1)[1].strip() == "Normal" for line in r.stdout.splitlines()
                     if line.startswith("Leap status"))
        if synced:
            return Finding("时钟同步", OK, tr("系统时钟已同步（{how}）", how="chronyc"))
        return Finding("时钟同步", FAIL, tr("系统时钟未同步（{how}）", how="chronyc"), fix)
    return Finding("时钟同步", WARN, tr("无法确定时钟是否同步（没有 timedatectl 或 chronyc）"), fix)


# ---------------------------------------------------------------- fonts, printer


def check_fonts(paths: Sequence[str] | None = None) -> Finding:
    from printers import fonts

    candidates = list(fonts.font_paths() if paths is None else paths)
    has_cjk = any(fonts._covers(path, "中") for path in candidates)
    if not has_cjk:
        return Finding("字体", FAIL, tr("没有中文字体"), fonts.INSTALL_HINT)
    if not any(fonts._covers(path, RARE_SAMPLE) for path in candidates):
        return Finding("字体", WARN, tr("中文字体正常，但缺少生僻字（扩展 B）字体，𠮷 等字将打印为 □"),
                       fonts.RARE_HINT)
    return Finding("字体", OK, tr("中文字体正常，含生僻字（扩展 B）"))


def check_printer(config: Path, device: Any, timeout: float = 3.0) -> Finding:
    from printers.backends import check_status
    from printers.config import parse_printers
    from printers.errors import PaperNearEnd

    if not device.printer:
        return Finding("打印机", OK, tr("本设备没有配置打印机"))
    with config.open("rb") as f:
        tables = tomllib.load(f).get("printers", {})
    configs, _ = parse_printers({device.printer: tables.get(device.printer, {})})
    cfg = configs[device.printer]
    status = check_status(cfg, timeout=timeout)
    text = tr("{name}：{summary}", name=cfg.where(), summary=status.summary())
    fix = tr("检查打印机电源、连线和纸卷，然后运行 hallq printer check --printer {name}", name=device.printer)
    if status.error is None:
        return Finding("打印机", OK, text)
    return Finding("打印机", WARN if isinstance(status.error, PaperNearEnd) else FAIL, text, fix)


# ---------------------------------------------------------------- disk, backup


def check_disk(path: Path, min_free_mb: int) -> Finding:
    where = path if path.is_dir() else path.parent
    if not where.exists():
        return Finding("磁盘空间", FAIL, tr("{path} 不存在", path=where),
                       tr("检查 hub 是否运行（systemctl status hallq-hub）、备份目录是否已挂载且可写"))
    free = shutil.disk_usage(where).free // (1024 * 1024)
    if free < min_free_mb:
        return Finding("磁盘空间", FAIL, tr("{path}：只剩 {free} MB（至少需要 {need} MB）", path=where, free=free,
                                            need=min_free_mb),
                       tr("清理或扩容该磁盘；备份目录可放在第二块硬盘或网络共享上"))
    return Finding("磁盘空间", OK, tr("{path}：剩余 {free} MB", path=where, free=free))


def check_backup(directory: Path, every_min: int, clock: Clock) -> Finding:
    """The newest ``*.ok`` (written only after the copy's integrity check) by its mtime, in hall time."""
    fix = tr("检查 hub 是否运行（systemctl status hallq-hub）、备份目录是否已挂载且可写")
    oks = sorted(directory.glob("*.ok"), key=lambda p: p.stat().st_mtime) if directory.is_dir() else []
    if not oks:
        return Finding("备份", FAIL, tr("{path} 中没有通过校验的备份（*.ok）", path=directory), fix)
    newest = oks[-1]
    # a file's mtime is the machine's time; the hall clock may be shifted (HALLQ_CLOCK_SHIFT)
    age_min = int((clock() - (newest.stat().st_mtime + hallclock.SHIFT)) // 60)
    name = newest.name.removesuffix(".ok")
    if age_min > 2 * every_min:
        return Finding("备份", FAIL, tr("最新备份 {name} 已是 {age} 分钟前（应每 {every} 分钟一次）", name=name,
                                        age=age_min, every=every_min), fix)
    return Finding("备份", OK, tr("最新备份 {name}，{age} 分钟前", name=name, age=max(0, age_min)))


# ---------------------------------------------------------------- web, notify, standby services


def unit_args(units: Path, name: str) -> list[str] | None:
    """The ``ExecStart=`` of an installed unit, split; None when that unit is not installed."""
    import shlex

    try:
        text = (units / name).read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("ExecStart=") and line.strip() != "ExecStart=":
            return shlex.split(line.partition("=")[2])
    return []


def option(args: Sequence[str], name: str, default: str = "") -> str:
    args = list(args)
    return args[args.index(name) + 1] if name in args[:-1] else default


def check_web(listen: str, timeout: float = 3.0) -> Finding:
    """GET ``/healthz`` of the phone page where its unit says it listens."""
    import urllib.error
    import urllib.request

    host, _, port = listen.rpartition(":")
    host = "127.0.0.1" if host in ("", "0.0.0.0") else ("::1" if host in ("::", "[::]") else host.strip("[]"))
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/healthz"
    fix = tr("检查 systemctl status hallq-web 和 journalctl -u hallq-web；网页服务的登录见 /etc/hallq/web.env")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # loopback: our own service
            r.read()
        return Finding("网页服务", OK, tr("{url} 正常应答", url=url))
    except urllib.error.HTTPError as exc:
        return Finding("网页服务", FAIL, tr("{url} 应答 {status}：网页服务连不上消息服务器", url=url,
                                            status=exc.code), fix)
    except (urllib.error.URLError, OSError) as exc:
        why = getattr(exc, "reason", exc)
        return Finding("网页服务", FAIL, tr("{url} 无法连接：{why}", url=url, why=why), fix)


def check_notify_record(state_dir: Path, today: str) -> Finding:
    """Today's lines of the notifier's record (notify/record.py): mostly failures is a ✗."""
    sent = failed = 0
    try:
        lines = (state_dir / "notify-record.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    last: dict[str, str] = {}
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and row.get("day") == today:
            last[str(row.get("key"))] = str(row.get("result"))  # a key's last line is its outcome
    sent = sum(r == "sent" for r in last.values())
    failed = sum(r == "failed" for r in last.values())
    fix = tr("检查短信网关地址和密钥（[notify.gateway]），以及 journalctl -u hallq-notify 中的失败原因")
    if failed >= 3 and failed > sent:
        return Finding("短信通知", FAIL, tr("今天失败 {failed} 条，只成功 {sent} 条", failed=failed, sent=sent), fix)
    level = WARN if failed else OK
    return Finding("短信通知", level, tr("今天已发 {sent} 条，失败 {failed} 条", sent=sent, failed=failed), fix)


def check_gateway(url: str, timeout: float = 3.0) -> Finding:
    """A TCP connection to the gateway's host and port (no message is sent)."""
    import socket
    from urllib.parse import urlparse

    fix = tr("检查本机能否访问政务外网或短信平台（防火墙、代理、DNS）")
    if not url:
        return Finding("短信通知", FAIL, tr("配置文件中没有 [notify.gateway] url"),
                       tr("修改配置文件后再运行 hallq config check"))
    try:
        u = urlparse(url)
        where = (u.hostname or "", u.port or (443 if u.scheme == "https" else 80))
    except ValueError as exc:
        return Finding("短信通知", FAIL, tr("短信网关 {where} 无法连接：{why}", where=url, why=exc), fix)
    shown = f"{where[0]}:{where[1]}"
    try:
        with socket.create_connection(where, timeout=timeout):
            pass
    except OSError as exc:
        return Finding("短信通知", FAIL, tr("短信网关 {where} 无法连接：{why}", where=shown,
                                            why=exc.strerror or type(exc).__name__), fix)
    return Finding("短信通知", OK, tr("短信网关 {where} 可连接", where=shown))


def notify_findings(config: Path, state_dir: Path, clock: Clock) -> list[Finding]:
    try:
        with config.open("rb") as f:
            doc = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        doc = {}
    def table(parent: dict[str, Any], key: str) -> dict[str, Any]:
        value = parent.get(key)
        return value if isinstance(value, dict) else {}

    gateway = table(table(doc, "notify"), "gateway")
    hall = table(doc, "hall")
    today = hallclock.local(clock(), str(hall.get("timezone", "Asia/Shanghai"))).date().isoformat()
    return [check_notify_record(state_dir, today), check_gateway(str(gateway.get("url", "")))]


def check_standby(db: Path, mono: Clock = time.monotonic) -> Finding:
    """The standby's status file (hub/ha/standby.py writes it every second)."""
    from hub.ha.standby import STATUS, side_file

    path = side_file(db, STATUS)
    stopped = tr("systemctl status hallq-standby，journalctl -u hallq-standby")
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        age = mono() - float(state.get("mono", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return Finding("备用中心", FAIL, tr("没有备用中心的状态文件 {path}", path=path), stopped)
    if state.get("role") == "primary":
        return Finding("备用中心", WARN, tr("本机已接管为主中心（任期 {epoch}）", epoch=state.get("epoch")),
                       tr("按 docs/operations.md「回切」把原主中心作为备用中心接回"))
    if age > 10:
        return Finding("备用中心", FAIL, tr("备用中心状态 {age} 秒未更新，可能已停止", age=int(age)), stopped)
    fix = tr("检查主中心是否运行、两台电脑之间的网络、主中心防火墙是否对本机开放 1883；hallq standby status --db {db}",
             db=db)
    if state.get("refused"):
        return Finding("备用中心", FAIL, tr("主中心拒绝向本机同步：{why}", why=state["refused"]), fix)
    if state.get("in_sync"):
        return Finding("备用中心", OK, tr("备用中心已同步，数据到第 {seq} 条", seq=state.get("seq")))
    return Finding("备用中心", FAIL, tr("备用中心未同步（数据到第 {seq} 条）", seq=state.get("seq")), fix)


def service_findings(units: Path, db: Path, clock: Clock, mono: Clock = time.monotonic) -> list[Finding]:
    """The checks of the services ``hallq install`` put on this machine (none: nothing to say)."""
    from hub.ha.standby import STATUS, side_file

    found: list[Finding] = []
    web = unit_args(units, "hallq-web.service")
    if web is not None:
        found.append(check_web(option(web, "--listen", "127.0.0.1:8080")))
    notify = unit_args(units, "hallq-notify.service")
    if notify is not None:
        found += notify_findings(Path(option(notify, "--config", "/etc/hallq/hall.toml")),
                                 Path(option(notify, "--state-dir", "/var/lib/hallq/notify")), clock)
    standby = unit_args(units, "hallq-standby.service")
    if standby is not None or side_file(db, STATUS).exists():
        found.append(check_standby(Path(option(standby or [], "--db", str(db))), mono))
    return found


# ---------------------------------------------------------------- the command


def default_url(secrets: Path = SECRETS, hub_env: Path = HUB_ENV) -> str:
    """On the hub machine: the read-only ``monitor`` login that ``hallq install hub`` generated, at
    the address the hub itself uses (``hub.env``)."""
    from urllib.parse import urlparse

    from hub.security.passwords import read_secrets

    where = "127.0.0.1:1883"
    try:
        for line in hub_env.read_text(encoding="utf-8").splitlines():
            if line.startswith("HALLQ_MQTT="):
                u = urlparse(line.partition("=")[2].strip())
                where = f"{u.hostname}:{u.port or 1883}"
    except (OSError, ValueError):
        pass
    try:
        password = read_secrets(secrets)["monitor"]
    except (OSError, KeyError):
        return f"mqtt://{where}"
    return f"mqtt://monitor:{password}@{where}"


def diagnose(args: argparse.Namespace, clock: Clock = hallclock.now, run: Runner = _run) -> list[Finding]:
    from hallq import protocol as p

    config = Path(args.config) if args.config else None
    found: list[Finding] = []
    hall = None
    if config is not None:
        finding, hall = check_hall(config)
        found.append(finding)
    url = args.mqtt or default_url()
    probe = probe_broker(url, hall.id if hall else None, clock, wait_beats=args.beat_wait or p.HUB_HEARTBEAT_S + 2)
    found += broker_findings(url, probe)
    found.append(check_sync(run))
    offset = offset_finding(probe)
    if offset is not None:
        found.append(offset)
    found.append(check_fonts())
    device = hall.devices.get(args.device) if hall and args.device else None
    if hall is not None and args.device and device is None:
        found.append(Finding("大厅配置", FAIL, tr("设备 {device} 不在配置文件中", device=args.device),
                             tr("修改配置文件后再运行 hallq config check")))
    if device is not None and config is not None:
        found.append(check_printer(config, device))
    if not args.device:  # the hub machine
        found.append(check_disk(Path(args.db), args.min_free_mb))
        backup_dir, every = (Path(args.backup_dir), 30) if args.backup_dir else (
            backup_settings(config) if config else (None, 30))
        if backup_dir is None:
            found.append(Finding("备份", WARN, tr("配置文件中没有 [backup] dir：hub 不做备份"),
                                 tr("在配置文件中加上 [backup] dir = \"/mnt/backup/hallq\"（第二块硬盘或网络共享）")))
        else:
            found.append(check_disk(backup_dir, args.min_free_mb))
            found.append(check_backup(backup_dir, every, clock))
    found += service_findings(Path(args.units), Path(args.db), clock)
    return found


def register(sub: Any) -> None:
    d = sub.add_parser("doctor", help="检查本机：消息服务器、时钟、字体、打印机、磁盘、备份 (check this machine)")
    d.add_argument("--config", help="hall file (TOML); on the hub machine /etc/hallq/hall.toml")
    d.add_argument("--device", help="this PC's device id (a kiosk, pad or display); omit on the hub machine")
    d.add_argument("--mqtt", help="broker URL to check (default on the hub: the monitor login of passwords.txt)")
    d.add_argument("--db", default=str(DEFAULT_DB), help="the hub's database (its disk is checked)")
    d.add_argument("--backup-dir", help="backup directory (default: [backup] dir of the hall file)")
    d.add_argument("--min-free-mb", type=int, default=1024, help="free space required (default %(default)s MB)")
    d.add_argument("--beat-wait", type=float, default=0, help=argparse.SUPPRESS)
    d.add_argument("--units", default="/etc/systemd/system",
                   help="where hallq install wrote its units: the web, notify and standby checks run for those present")
    d.add_argument("--lang", choices=("zh_CN", "en"), help="language of the report")
    d.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    from hallq import i18n

    if args.lang:
        i18n.set_language(args.lang)
    if args.config is None and Path("/etc/hallq/hall.toml").is_file():
        args.config = "/etc/hallq/hall.toml"
    if args.device and not args.config:
        print("✗ --device needs --config", file=sys.stderr)
        return 2
    try:
        found = diagnose(args)
    except ValueError as exc:  # a malformed --mqtt URL
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    for finding in found:
        print(finding.render())
    failed = sum(f.level == FAIL for f in found)
    print(tr("有 {n} 项必须处理", n=failed) if failed else tr("全部正常"))
    return 1 if failed else 0
