"""Rendering a report as text (people), JSON (programs) or GitHub workflow annotations.

Every value a report line shows (a cell in a message, a file name, a field name) comes from
the package, so every renderer escapes what a terminal or CI runner would act on instead of
showing (:func:`~gongbao.problems.report.printable`): a value cannot clear the screen, print
a fake "valid" line or a fake annotation, or reorder text with bidi controls. JSON keeps
every value exact (those characters become ``\\uXXXX`` escapes of the same string).
"""

from __future__ import annotations

import json
import re

from ..problems.report import Problem, Report, printable


def _location(problem: Problem) -> str:
    where = problem.path if problem.line is None else f"{problem.path}:{problem.line}"
    return f"{where}: {problem.field or '-'}"


def text_line(problem: Problem) -> str:
    """``file:line: field: rule: message (hint)``, one line whatever the values hold."""
    prefix = "" if problem.severity == "error" else "warning: "
    return printable(
        f"{_location(problem)}: {problem.rule}: {prefix}{problem.message} ({problem.hint})"
    )


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


# What json.dumps leaves raw (it escapes only C0): DEL, C1, separators, bidi controls.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def render_json(report: Report) -> str:
    payload = {
        "valid": report.valid,
        "errors": len(report.errors),
        "families": report.families,
        "rows": report.rows,
        "notes": report.notes,
        "problems": [p.to_dict() for p in report.sorted()],
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _escape(value: str, *, prop: bool = False) -> str:
    """A value in a workflow command: control characters made visible, then GitHub's own
    escapes (% CR LF; also : and , in a property), so no value ends or starts a command."""
    value = printable(value)
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
