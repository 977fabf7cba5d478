"""A4 notices to a printer (A4 打印): a PDF to a CUPS queue with ``lp -d QUEUE``.

Office printers in a hall sit behind CUPS (Linux) or are shared through it, and every CUPS
installation has the same two commands: ``lpstat`` says whether the scheduler runs and what
state a queue is in, ``lp`` queues a file.  Calling them (``cups-client`` from apt) keeps us
free of pycups' C build, works the same against a local cupsd or a remote ``CUPS_SERVER``,
and their answers are stable in the C locale, which we ask for.

Before printing we ask, so a clerk gets a sentence instead of a silently held job: is ``lp``
installed, is the scheduler running, does the queue exist, is it stopped (CUPS keeps queueing
jobs for a stopped printer: they would come out later, at someone else's window), does it
accept jobs.  Each answer is a typed :class:`~printers.errors.PrinterError` whose ``message``
is Chinese and names the command that fixes it.  ``file`` and ``dummy`` A4 printers write the
PDF to a path or nowhere, for halls without an office printer and for demos.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from printers.config import PrinterConfig
from printers.errors import (
    BackendUnavailable,
    ConfigInvalid,
    DeviceMissing,
    PrinterError,
    PrinterOffline,
    PrinterUnreachable,
    StatusTimeout,
    WriteFailed,
)

LP_TIMEOUT = 30.0  # seconds for lp to hand the job to the scheduler (a big PDF over a slow link)
INSTALL_HINT = "apt-get install cups-client"


@dataclass(frozen=True)
class A4Job:
    """What was done with a PDF: the CUPS job id (``hall-a4-12``) or the file written."""

    printer: str
    job: str


def _env() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}  # lp/lpstat answer in English we can read


def _run(cmd: list[str], cfg: PrinterConfig, timeout: float, data: bytes | None = None) -> tuple[int, str, str]:
    try:
        run = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout, env=_env(), check=False)
    except subprocess.TimeoutExpired:
        raise StatusTimeout(f"{cmd[0]} 在 {timeout:g} 秒内未返回（CUPS 服务无响应）", where=cfg.where()) from None
    except OSError as e:
        raise BackendUnavailable(f"无法运行 {cmd[0]}：{e}；请安装：{INSTALL_HINT}", where=cfg.where()) from e
    out = run.stdout.decode("utf-8", "replace").strip()
    err = run.stderr.decode("utf-8", "replace").strip()
    return run.returncode, out, err


def check_queue(cfg: PrinterConfig) -> None:
    """Raise a PrinterError saying what is wrong with ``cfg``'s CUPS queue; return if it can print."""
    if not (shutil.which("lp") and shutil.which("lpstat")):
        raise BackendUnavailable(f"A4 打印需要 CUPS 的 lp 和 lpstat 命令，本机未安装。请安装：{INSTALL_HINT}",
                                 where=cfg.where())
    timeout = cfg.status_timeout
    _, out, err = _run(["lpstat", "-r"], cfg, timeout)
    if "not running" in out or "not running" in err:
        raise PrinterUnreachable("CUPS 打印服务未运行，无法打印 A4 通知书。请启动：systemctl start cups",
                                 where=cfg.where())
    code, out, err = _run(["lpstat", "-p", cfg.queue], cfg, timeout)
    if code != 0 or not out:
        _, names, _ = _run(["lpstat", "-e"], cfg, timeout)
        known = "、".join(names.split()) or "（无）"
        raise DeviceMissing(f"CUPS 中没有打印队列 {cfg.queue!r}；已有队列：{known}（lpstat -e 查看，lpadmin 添加）",
                            where=cfg.where())
    if re.search(r"\bdisabled\b", out):
        raise PrinterOffline(f"A4 打印机已停止（CUPS 队列 {cfg.queue} 停用），请检查打印机（缺纸、卡纸、断电）"
                             f"后执行：cupsenable {cfg.queue}", where=cfg.where())
    code, out, _ = _run(["lpstat", "-a", cfg.queue], cfg, timeout)
    if code == 0 and "not accepting" in out:
        raise PrinterOffline(f"CUPS 队列 {cfg.queue} 拒绝接收打印任务，请执行：cupsaccept {cfg.queue}",
                             where=cfg.where())


def _lp(cfg: PrinterConfig, pdf: bytes, title: str, copies: int) -> str:
    cmd = ["lp", "-d", cfg.queue, "-n", str(copies), "-o", "media=A4"]
    if title:
        cmd += ["-t", title]
    code, out, err = _run([*cmd, "-"], cfg, LP_TIMEOUT, pdf)
    if code != 0:
        raise WriteFailed(f"提交 A4 打印任务失败：{err or out or f'lp 返回 {code}'}", where=cfg.where())
    found = re.search(r"request id is (\S+)", out)
    return found.group(1) if found else out


def print_pdf(cfg: PrinterConfig, pdf: bytes, *, title: str = "", copies: int = 1) -> A4Job:
    """Print ``pdf`` on the A4 printer ``cfg``; a PrinterError (Chinese message) if it cannot."""
    if not cfg.is_a4:
        raise ConfigInvalid(f"{cfg.name} 是小票打印机，不能打印 A4 通知书；请在 [printers.{cfg.name}] 写 "
                            f"a4 = \"A4打印机名\"，或选一台 paper = \"a4\" 的打印机", where=cfg.where())
    if not 1 <= copies <= 20:
        raise ValueError(f"份数应在 1-20 之间，而不是 {copies}")
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("不是 PDF 文件 (not a PDF)")
    if cfg.backend == "cups":
        check_queue(cfg)
        return A4Job(cfg.name, _lp(cfg, pdf, title, copies))
    if cfg.backend == "file":
        try:
            Path(cfg.path).write_bytes(pdf)
        except OSError as e:
            raise DeviceMissing(f"无法写入文件 {cfg.path}：{e.strerror or e}", where=cfg.where()) from e
        return A4Job(cfg.name, cfg.path)
    if cfg.backend == "dummy":
        dummy_error(cfg)
        return A4Job(cfg.name, "dummy")
    raise ConfigInvalid(f"A4 打印机不能用 backend = {cfg.backend!r}", where=cfg.where())


def dummy_error(cfg: PrinterConfig) -> None:
    messages: dict[str, PrinterError] = {
        "out": PrinterOffline("A4 打印机缺纸（模拟）", where=cfg.where()),
        "offline": PrinterOffline("A4 打印机离线（模拟）", where=cfg.where()),
        "cover_open": PrinterOffline("A4 打印机盖板打开（模拟）", where=cfg.where()),
        "silent": StatusTimeout("A4 打印机无应答（模拟）", where=cfg.where()),
    }
    if cfg.dummy_status in messages:
        raise messages[cfg.dummy_status]
