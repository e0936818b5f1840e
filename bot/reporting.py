"""The report as people read it: a table for the terminal, CSV for a spreadsheet.

JSON is the report itself (``scheduler.report.build_report``); CSV has one row per group or per
period (or one row for the whole period when neither is asked), nested values flattened as
``buckets.1-30`` and ``overdue_amount.USD``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from scheduler.portfolio import flatten


def report_rows(report: dict[str, Any]) -> list[tuple[dict[str, str], dict[str, Any]]]:
    """(the row's labels, its indicators) for each CSV row."""
    rows: list[tuple[dict[str, str], dict[str, Any]]] = []
    for group in report.get("groups", []):
        rows.append((dict(group["key"]), group["indicators"]))
    for period in report.get("series", []):
        rows.append(({"start": period["start"], "end": period["end"]}, period["indicators"]))
    if not rows:
        rows.append(({"since": report["since"], "until": report["until"]}, report["overall"]))
    return rows


def _columns(names: Iterable[Iterable[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in names:
        for name in row:
            seen.setdefault(name, None)
    return list(seen)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def as_csv(report: dict[str, Any]) -> str:
    rows = [(labels, dict(flatten(values))) for labels, values in report_rows(report)]
    label_columns = _columns(labels for labels, _ in rows)
    value_columns = _columns(values for _, values in rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*label_columns, *value_columns])
    for labels, values in rows:
        writer.writerow([labels.get(c, "") for c in label_columns] + [_cell(values.get(c)) for c in value_columns])
    return out.getvalue()


def _shown(name: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and (name.endswith("_rate") or ".npl_ratio" in f".{name}" or "rate." in name):
        return f"{value * 100:.1f}%"
    return str(value)


def indicator_grid(report: dict[str, Any]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(column labels, [(indicator, its cell per column)]): the whole period, then each group or period."""
    columns: list[tuple[str, dict[str, Any]]] = [("all", dict(flatten(report["overall"])))]
    for group in report.get("groups", []):
        columns.append((",".join(str(v) for v in group["key"].values()), dict(flatten(group["indicators"]))))
    for period in report.get("series", []):
        label = period["start"] if period["start"] == period["end"] else f"{period['start']}..{period['end']}"
        columns.append((label, dict(flatten(period["indicators"]))))
    names = _columns(values for _, values in columns)
    return [label for label, _ in columns], [(n, [_shown(n, values.get(n)) for _, values in columns]) for n in names]


def as_table(report: dict[str, Any], zone: str) -> str:
    """Indicators down, the whole period then each group or period across."""
    labels, rows = indicator_grid(report)
    first = max(len(name) for name, _ in rows)
    widths = [max(len(label), *(len(cells[i]) for _, cells in rows)) for i, label in enumerate(labels)]
    lines = [
        f"duebot report {report['since']} .. {report['until']} (dates in {zone}; loan states at the end of the "
        "day before and of the last day, in each borrower's zone)",
        "",
        " ".join([" " * first, *(label.rjust(w) for label, w in zip(labels, widths, strict=True))]),
    ]
    for name, cells in rows:
        lines.append(" ".join([name.ljust(first), *(cell.rjust(w) for cell, w in zip(cells, widths, strict=True))]))
    return "\n".join(lines) + "\n"
