"""Before/after: every benchmark on two checkouts, alternately, in one run; medians and ratios.

    python bench/ab.py --before ../hallq-old [--after .] [--rounds 3] [--only throughput,scale]

The machine is shared and its load moves within minutes, so absolute figures from two runs an
hour apart say little. Here each round runs every benchmark on both checkouts back to back, in
alternating order (before/after, then after/before), each with its own ``.venv/bin/python`` and
its own ``bench/`` (so an old checkout's benchmarks run as they were written). Every table a
benchmark prints is parsed; for each row and numeric column the median over the rounds is
reported for both checkouts, with the ratio after/before. A benchmark a checkout does not have
is skipped there. ``bench_cpu.py`` is the exception: the after checkout's copy runs on both
checkouts at the same moment, pinned to one core, so both see the same load (CPU time per
command is what it reports; on a shared machine this is the figure to trust). The raw output
of every run goes to ``--out`` (default: a temporary folder).

Make the old checkout with ``git worktree add ../hallq-old <commit>`` and ``./hallq.sh --help``
there once (it creates its ``.venv``).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# name → arguments: short enough that three rounds of everything take ~30 minutes on 2 cores
BENCHES: dict[str, list[str]] = {
    "throughput": ["--seconds", "6", "--n", "400"],
    "call_latency": ["--n", "300"],
    "tap_slip": ["--n", "100"],
    "scale": ["--tickets", "4000", "--windows", "40"],
    "hostile": ["--n", "100", "--burst", "1000"],
    "display": ["--n", "200"],
    "slip": [],
    "messages": ["--n", "5000"],
    "cpu": ["--n", "800"],
}
# run on both checkouts at the same moment, pinned to one core, with the after checkout's copy
# of the script (it imports the hub of the checkout it runs in): CPU time under the same load
TOGETHER = {"cpu"}

Key = tuple[str, str, str, str]  # bench, table (its first header), row label, column
NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+|nan|inf)(×|x)?$", re.IGNORECASE)


def number(cell: str) -> float | None:
    m = NUMBER.match(cell.strip())
    return float(m.group(0).rstrip("×x")) if m else None


def parse(bench: str, text: str) -> dict[Key, float]:
    """Every table in a benchmark's output: pipe tables, and column tables split on 2+ spaces.

    A row is named by its words (digits in them read as N: "tap → 950 bytes ready" is the
    same row whatever the slip's size); rows whose words repeat in a table are numbered in
    order ("raster-only #1" is the 58 mm row, "#2" the 80 mm one); a repeated column name
    gets " (2)".
    """
    tables: list[tuple[list[str], list[list[str]]]] = []
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
        elif len(re.split(r"\s{2,}", line.strip())) >= 3:
            cells = re.split(r"\s{2,}", line.strip())
        else:
            tables.append(([], []))
            continue
        if set("".join(cells)) <= set("-: "):
            continue  # the |---| line
        if tables and tables[-1][0] and len(cells) == len(tables[-1][0]):
            tables[-1][1].append(cells)
        else:
            seen: dict[str, int] = {}
            header = []
            for c in cells:
                seen[c] = seen.get(c, 0) + 1
                header.append(c if seen[c] == 1 else f"{c} ({seen[c]})")
            tables.append((header, []))
    out: dict[Key, float] = {}
    for header, rows in tables:
        named = []
        for cells in rows:
            values = [number(c) for c in cells]
            words = [re.sub(r"\d+", "N", c) for c, v in zip(cells, values, strict=True) if v is None]
            named.append((" / ".join(words) or cells[0], values))
        labels = [n for n, _ in named]
        for i, (label, values) in enumerate(named):
            name = f"{label} #{labels[:i + 1].count(label)}" if labels.count(label) > 1 else label
            for col, v in zip(header, values, strict=True):
                if v is not None and col:
                    out[(bench, header[0] or header[1], name, col)] = v
    return out


def start(tree: Path, bench: str, args: list[str], script_tree: Path, pin: bool) -> subprocess.Popen[str] | None:
    script = script_tree / "bench" / f"bench_{bench}.py"
    if not script.exists():
        return None
    cmd = [str(tree / ".venv" / "bin" / "python"), str(script), *args]
    if pin and shutil.which("taskset"):
        cmd = ["taskset", "-c", str((os.cpu_count() or 1) - 1), *cmd]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(cmd, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(proc: subprocess.Popen[str] | None, bench: str, out: Path, tag: str, t0: float) -> dict[Key, float]:
    if proc is None:
        return {}
    stdout, stderr = proc.communicate(timeout=1800)
    (out / f"{tag}-{bench}.txt").write_text(stdout + "\n--- stderr\n" + stderr)
    print(f"  {tag:>12} {bench:<13} {time.perf_counter() - t0:6.1f} s  load {os.getloadavg()[0]:.1f}"
          + ("" if proc.returncode == 0 else f"  FAILED ({proc.returncode}), see {out}"), flush=True)
    return parse(bench, stdout) if proc.returncode == 0 else {}


def report(before: list[dict[Key, float]], after: list[dict[Key, float]]) -> str:
    keys = list(dict.fromkeys(k for d in after + before for k in d))
    lines = ["| benchmark | table | row | column | before (median) | after (median) | after/before | rounds |",
             "|---|---|---|---|---|---|---|---|"]
    for k in keys:
        b = [d[k] for d in before if k in d and not math.isnan(d[k])]
        a = [d[k] for d in after if k in d and not math.isnan(d[k])]
        mb = statistics.median(b) if b else math.nan
        ma = statistics.median(a) if a else math.nan
        ratio = ma / mb if b and a and mb else math.nan
        cells = [*k, f"{mb:.4g}", f"{ma:.4g}", f"{ratio:.2f}", f"{len(b)}/{len(a)}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def reparse(out: Path) -> tuple[list[dict[Key, float]], list[dict[Key, float]]]:
    """The parsed runs of an earlier ``--out`` folder (files ``r<round>-<side>-<bench>.txt``)."""
    sides: dict[str, dict[int, dict[Key, float]]] = {"before": {}, "after": {}}
    for f in sorted(out.glob("r*-*-*.txt")):
        rnd, side, bench = f.stem.split("-", 2)
        text = f.read_text().split("\n--- stderr\n")[0]
        sides[side].setdefault(int(rnd[1:]), {}).update(parse(bench, text))
    return list(sides["before"].values()), list(sides["after"].values())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", type=Path, default=None)
    ap.add_argument("--after", type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated names: " + ",".join(BENCHES))
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--report-only", type=Path, default=None, metavar="DIR",
                    help="no runs: the report of the raw outputs an earlier run left in DIR")
    a = ap.parse_args()
    if a.report_only:
        print(report(*reparse(a.report_only)))
        return
    if a.before is None:
        sys.exit("--before CHECKOUT is needed (or --report-only DIR)")
    names = [n for n in a.only.split(",") if n] or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        sys.exit(f"unknown benchmark {unknown}: choose from {', '.join(BENCHES)}")
    out = a.out or Path(tempfile.mkdtemp(prefix="hallq-ab-"))
    out.mkdir(parents=True, exist_ok=True)
    trees = {"before": a.before.resolve(), "after": a.after.resolve()}
    results: dict[str, list[dict[Key, float]]] = {"before": [], "after": []}
    print(f"before {trees['before']}, after {trees['after']}, raw output in {out}", flush=True)
    for i in range(a.rounds):
        order = ["before", "after"] if i % 2 == 0 else ["after", "before"]
        print(f"round {i + 1}/{a.rounds}", flush=True)
        got: dict[str, dict[Key, float]] = {"before": {}, "after": {}}
        for name in names:
            if name in TOGETHER:  # both at once on one core, the after checkout's script
                t0 = time.perf_counter()
                procs = {side: start(trees[side], name, BENCHES[name], trees["after"], pin=True) for side in order}
                for side in order:
                    got[side].update(finish(procs[side], name, out, f"r{i + 1}-{side}", t0))
                continue
            for side in order:
                t0 = time.perf_counter()
                proc = start(trees[side], name, BENCHES[name], trees[side], pin=False)
                got[side].update(finish(proc, name, out, f"r{i + 1}-{side}", t0))
        for side, runs in results.items():
            runs.append(got[side])
    text = report(results["before"], results["after"])
    (out / "report.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
