"""``hallq backup`` and ``hallq restore``: the hall IT's copies of the hub's database (docs/operations.md).

``hallq backup`` is safe while the hub runs (SQLite's online backup, a read transaction of its own).
``hallq restore`` refuses while a hub or a standby runs on the database (each holds a shared ``flock`` on
``<db>.lock`` while it runs, :mod:`hub.backup`), keeps the current database aside and puts a checked copy in
its place.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hallq import clock as hallclock


def register(sub: Any) -> None:
    backup = sub.add_parser("backup", help="copy the hub's database now, checked (safe while the hub runs)")
    backup.add_argument("--config", required=True, help="hall file (TOML): the hall id and [backup]")
    backup.add_argument("--db", required=True, help="the hub's SQLite file")
    backup.add_argument("--out", help="directory for the copy (default: [backup] dir of the hall file)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="put a backup copy in place of the hub's database (hub stopped)")
    restore.add_argument("--config", required=True, help="hall file (TOML): the hall id and [backup]")
    restore.add_argument("--db", required=True, help="the hub's SQLite file (kept aside, never deleted)")
    restore.add_argument("--from", dest="source", required=True, metavar="COPY",
                         help="the copy (a .db file), or 'latest': the newest checked copy in [backup] dir")
    restore.set_defaults(func=cmd_restore)


def _hall(path: str) -> Any:
    from hub.config import ConfigError, load_hall

    try:
        return load_hall(path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return None


def cmd_backup(args: argparse.Namespace) -> int:
    from hub.backup import BackupError, take

    hall = _hall(args.config)
    if hall is None:
        return 1
    folder = args.out or hall.backup.dir
    if not folder:
        print("✗ 没有备份目录：请用 --out 指定，或在大厅配置文件的 [backup] 表写 dir "
              "(no directory: give --out or [backup] dir)", file=sys.stderr)
        return 2
    try:
        path = take(Path(args.db), Path(folder), hall.id, hallclock.now(), hall.backup.keep)
    except BackupError as exc:
        print(f"✗ 备份失败 (backup failed): {exc}", file=sys.stderr)
        return 1
    print(f"✓ 备份完成并已校验 (copied and checked): {path}")
    return 0


IN_USE = ("✗ 未恢复：hallq hub 或 hallq standby 正在使用数据库 {db}。先停止它（sudo systemctl stop hallq-hub，"
          "备用中心电脑上 sudo systemctl stop hallq-standby），恢复后再启动 "
          "(not restored: a hub or standby is running on this database; stop it first)")


def in_use(db: Path) -> bool:
    """Whether a running hub or standby holds its lock on ``db`` (without waiting; takes nothing)."""
    from hub.backup import BackupError, exclusive, lock_path

    if not lock_path(db).exists():
        return False
    try:
        with exclusive(db):
            return False
    except BackupError:
        return True


def cmd_restore(args: argparse.Namespace) -> int:
    from hub.backup import BackupError, newest, restore
    from hub.store import SCHEMA_VERSION

    hall = _hall(args.config)
    if hall is None:
        return 1
    if in_use(Path(args.db)):
        print(IN_USE.format(db=args.db), file=sys.stderr)
        return 1
    if args.source == "latest":
        if not hall.backup.dir:
            print("✗ 大厅配置文件没有 [backup] dir，请用 --from 指定副本 (no [backup] dir: name the copy)",
                  file=sys.stderr)
            return 2
        copy = newest(Path(hall.backup.dir), hall.id)
        if copy is None:
            print(f"✗ {hall.backup.dir} 里没有本大厅（{hall.id}）校验过的备份 (no checked copy there)", file=sys.stderr)
            return 1
    else:
        copy = Path(args.source)
    try:
        aside = restore(Path(args.db), copy, hallclock.now(), SCHEMA_VERSION)
    except BackupError as exc:
        print(f"✗ 未恢复 (not restored): {exc}", file=sys.stderr)
        return 1
    print(f"✓ 已恢复 {copy} → {args.db} (restored)")
    if aside.exists():
        print(f"  原数据库已另存为 (the database it replaced is kept as): {aside}")
    print("  备份之后取的号、办结的业务都不在恢复后的数据库里 (what happened after the copy is not in it); "
          "现在可以启动 hallq hub")
    return 0
