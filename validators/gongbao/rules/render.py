"""Rendering a report as text (people), JSON (programs) or GitHub workflow annotations."""

from __future__ import annotations

import json

from ..problems.report import Problem, Report


def _location(problem: Problem) -> str:
    where = problem.path if problem.line is None else f"{problem.path}:{problem.line}"
    return f"{where}: {problem.field or '-'}"


def text_line(problem: Problem) -> str:
    prefix = "" if problem.severity == "error" else "warning: "
    return f"{_location(problem)}: {problem.rule}: {prefix}{problem.message} ({problem.hint})"


def summary(report: Report) -> str:
    errors = len(report.errors)
    files = len({p.path for p in report.errors})
    rows = sum(report.rows.values())
    verdict = (
        "valid"
        if report.valid
        else f"INVALID: {errors} error{'s' * (errors != 1)} in {files} file{'s' * (files != 1)}"
    )
    lines = [f"gongbao validate: {verdict} ({len(report.rows)} tables, {rows} rows)"]
    lines += [f"  {line}" for line in report.family_lines()]
    lines += [f"  {note}" for note in report.notes]
    return "\n".join(lines)


def render_text(report: Report) -> str:
    return "\n".join([*(text_line(p) for p in report.sorted()), summary(report)]) + "\n"


def render_json(report: Report) -> str:
    payload = {
        "valid": report.valid,
        "errors": len(report.errors),
        "families": report.families,
        "rows": report.rows,
        "notes": report.notes,
        "problems": [p.to_dict() for p in report.sorted()],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def render_github(report: Report) -> str:
    """::error file=...,line=...,title=...::message — one workflow annotation per problem."""
    out = []
    for p in report.sorted():
        props = [f"file={_escape(p.path, prop=True)}"]
        if p.line is not None:
            props.append(f"line={p.line}")
        props.append(f"title={_escape(f'gongbao {p.rule} ({p.field or p.path})', prop=True)}")
        out.append(f"::{p.severity} {','.join(props)}::{_escape(f'{p.message} ({p.hint})')}")
    out.append(summary(report))
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "github": render_github}
