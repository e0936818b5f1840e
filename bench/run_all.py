"""Every benchmark at a size that takes a few minutes in all, then one table: each figure beside its ceiling.

    .venv/bin/python bench/run_all.py [--postgres URL] [--only NAME ...] [--keep DIR]

Runs each benchmark as its own process (as it runs alone; each writes its key figures with
``--json``), one after the other, with its output shown as it goes:

* ``import``: ``bench/import_bench.py --rows 100000``, beside raw ``sqlite3.executemany`` (and
  asyncpg's COPY on PostgreSQL) of the same rows in the same run;
* ``dispatch``: ``bench/dispatch_bench.py --messages 3000``, beside bare POSTs to the same stand-in;
* ``webhooks``: ``bench/webhook_latency.py --book 50000 --seconds 10`` without and with a first-of-day
  pass, beside a bare aiohttp handler at the same rate;
* ``plan``: ``bench/plan_db_bench.py --rows 100000 --small 20000`` (fixtures in a scratch directory):
  whole ``tick`` processes, the first pass of a day and the pass a minute later, beside the process's
  own start-up and beside the same pass on the small book.
* ``workers`` (PostgreSQL only): ``bench/workers_bench.py --runs 1:1000,4:4000``, one and four
  ``duebot worker`` processes on one database, beside the pace they are allowed.
* ``report``: ``bench/report_bench.py --installments 50000``, on SQLite and on PostgreSQL: whole
  ``duebot report`` processes for a month (``--by tier``, none, ``--every week``) beside a bare
  process running the installments scan every report needs.
* ``preview``: ``bench/preview_bench.py --borrowers 10000``, on SQLite and on PostgreSQL: a whole
  ``duebot preview --format json`` process for a day with about 11,000 messages, beside a bare
  process reading the installments due on the tiers' dates and their borrowers' prior sends.
* ``risk`` (PostgreSQL only): ``bench/risk_bench.py --borrowers 20000``, the daily risk review's first
  run and the next day's, beside reading the book alone.

PostgreSQL runs too when ``--postgres`` (default: ``$DUEBOT_TEST_POSTGRES_URL``) names a server: every
benchmark works in throw-away databases created beside the one named (the dispatch bench in one
this script creates and drops, since it empties the schema it is given). The ratio is the figure
over its ceiling: a share for rates (higher is better), a multiple for latencies (lower is better).
Figures from different runs differ with the machine's load; the ratio to the ceiling less so.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
NAMES = ("import", "dispatch", "webhooks", "plan", "workers", "report", "preview", "risk")


@dataclass
class Step:
    """One benchmark process: what it is called in the table, its arguments, where its JSON goes."""

    name: str
    args: list[str]
    json_path: Path
    seconds: float = 0.0
    failed: str = ""
    figures: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """A throw-away database beside the one ``url`` names, dropped afterwards."""
    name = f"duebot_bench_all_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", url, "-qc", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    try:
        yield urlunparse(urlparse(url)._replace(path=f"/{name}"))
    finally:
        subprocess.run(["psql", url, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], capture_output=True)


def run_step(step: Step) -> None:
    print(f"\n=== {step.name}: {' '.join(step.args)}", flush=True)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, *step.args, "--json", str(step.json_path)], cwd=ROOT)
    step.seconds = time.perf_counter() - started
    if proc.returncode != 0:
        step.failed = f"exited {proc.returncode}"
    if step.json_path.exists():
        data = json.loads(step.json_path.read_text(encoding="utf-8"))
        step.figures = list(data.get("figures", []))
        if data.get("exactly_once") is False:
            step.failed = "; ".join(data.get("problems", [])) or step.failed
    elif not step.failed:
        step.failed = "wrote no figures"


def number(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:,.2f} s"
    if unit == "ms":
        return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"
    return f"{value:,.0f} {unit}"


def ratio(figure: dict[str, Any]) -> str:
    value, ceiling = figure["value"], figure["ceiling"]
    if not ceiling:
        return "-"
    if figure.get("better") == "lower":
        return f"{value / ceiling:.1f}x"
    return f"{value / ceiling:.1%}"


def table(steps: list[Step]) -> str:
    rows = [("benchmark", "figure", "value", "ceiling (same run)", "ratio", "target")]
    for step in steps:
        if step.failed:
            rows.append((step.name, f"FAILED: {step.failed}"[:80], "", "", "", ""))
        for f in step.figures:
            met = f.get("met")
            target = f.get("target") or ""
            if target:
                target += ": " + ("met" if met else "missed")
            rows.append(
                (
                    step.name,
                    f["figure"],
                    number(f["value"], f["unit"]),
                    f"{f['ceiling_name']} {number(f['ceiling'], f.get('ceiling_unit', f['unit']))}",
                    ratio(f),
                    target,
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [cell.rjust(w) if i in (2, 4) else cell.ljust(w) for i, (cell, w) in pairs]
        lines.append(" | ".join(cells).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("DUEBOT_TEST_POSTGRES_URL") or None,
                        help="a PostgreSQL server to run on too (default: $DUEBOT_TEST_POSTGRES_URL)")  # fmt: skip
    parser.add_argument("--only", nargs="+", choices=NAMES, help="run only these benchmarks")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--dispatch-messages", type=int, default=3_000)
    parser.add_argument("--webhook-book", type=int, default=50_000)
    parser.add_argument("--webhook-seconds", type=float, default=10.0)
    parser.add_argument("--plan-rows", type=int, default=100_000)
    parser.add_argument("--report-installments", type=int, default=50_000)
    parser.add_argument("--preview-borrowers", type=int, default=10_000)
    parser.add_argument("--keep", metavar="DIR", help="leave each benchmark's JSON in DIR")
    args = parser.parse_args()
    wanted = set(args.only or NAMES)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="duebot-bench-") as tmp_name:
        out = Path(args.keep) if args.keep else Path(tmp_name)
        out.mkdir(parents=True, exist_ok=True)
        pg = ["--postgres", args.postgres] if args.postgres else []
        steps: list[Step] = []
        if "import" in wanted:
            step = Step("import", ["bench/import_bench.py", "--rows", str(args.import_rows), *pg], out / "import.json")
            run_step(step)
            steps.append(step)
        if "dispatch" in wanted:
            step = Step("dispatch", ["bench/dispatch_bench.py", "--messages", str(args.dispatch_messages)],
                        out / "dispatch.json")  # fmt: skip
            if args.postgres:
                with scratch_postgres(args.postgres) as scratch:
                    step.args += ["--postgres", scratch]
                    run_step(step)
            else:
                run_step(step)
            steps.append(step)
        if "webhooks" in wanted:
            webhook = ["bench/webhook_latency.py", "--book", str(args.webhook_book),
                       "--seconds", str(args.webhook_seconds)]  # fmt: skip
            for db in ["sqlite"] + (["postgres"] if args.postgres else []):
                for with_pass in ([], ["--with-pass"]):
                    label = f"webhooks-{db}{'-pass' if with_pass else ''}"
                    extra = ["--postgres-url", args.postgres] if db == "postgres" and args.postgres else []
                    step = Step("webhooks", [*webhook, "--db", db, *with_pass, *extra], out / f"{label}.json")
                    run_step(step)
                    steps.append(step)
        if "plan" in wanted:
            step = Step("plan", ["bench/plan_db_bench.py", "--rows", str(args.plan_rows), "--small", "20000",
                                 "--dir", tmp_name], out / "plan.json")  # fmt: skip
            run_step(step)
            steps.append(step)
        if "workers" in wanted and args.postgres:
            step = Step("workers", ["bench/workers_bench.py", "--postgres", args.postgres, "--runs", "1:1000,4:4000"],
                        out / "workers.json")  # fmt: skip
            run_step(step)
            steps.append(step)
        if "report" in wanted:
            report = ["bench/report_bench.py", "--installments", str(args.report_installments)]
            for db in ["sqlite"] + (["postgres"] if args.postgres else []):
                where = ["--sqlite"] if db == "sqlite" else ["--postgres", args.postgres]
                step = Step("report", [*report, *where], out / f"report-{db}.json")
                run_step(step)
                steps.append(step)
        if "preview" in wanted:
            preview = ["bench/preview_bench.py", "--borrowers", str(args.preview_borrowers)]
            for db in ["sqlite"] + (["postgres"] if args.postgres else []):
                where = ["--sqlite"] if db == "sqlite" else ["--postgres", args.postgres]
                step = Step("preview", [*preview, *where], out / f"preview-{db}.json")
                run_step(step)
                steps.append(step)
        if "risk" in wanted and args.postgres:
            step = Step("risk", ["bench/risk_bench.py", "--postgres", args.postgres, "--borrowers", "20000"],
                        out / "risk.json")  # fmt: skip
            run_step(step)
            steps.append(step)
        print(f"\nAll benchmarks in {time.perf_counter() - started:,.0f} s "
              f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs):\n")  # fmt: skip
        print(table(steps))
        if not args.postgres:
            print("\nPostgreSQL skipped (no --postgres and DUEBOT_TEST_POSTGRES_URL is not set)")
    if any(step.failed for step in steps):
        sys.exit(1)


if __name__ == "__main__":
    main()
