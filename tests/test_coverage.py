"""The README's coverage tables count what the data holds (gongbao.docgen.coverage)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from gongbao.docgen.coverage import coverage_of, coverage_section
from gongbao.tableschema.package import read_package

from csvedit import read_rows

AIR = "sc-cq-air-pollution-agreement-2020"  # signed by Sichuan's and Chongqing's bodies
OPINION = "sc-cq-territorial-eco-restoration-opinion"  # Guizhou only in its scope
ACTION_PLAN = "sc-cq-yangtze-economic-belt-action-plan-2018"  # no party, dated 2018
INITIATIVE = "wh-cs-nc-eco-env-cooperation-initiative-2025"  # three provincial capitals


def _keep(package: Path, table: str, keep) -> None:
    """Rewrite a table with only the rows keep(row) accepts."""
    path = package / f"data/{table}.csv"
    header, *rows = read_rows(path)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerows([header, *(r for r in rows if keep(dict(zip(header, r, strict=True))))])
    path.write_text(text.getvalue(), encoding="utf-8")


def _narrowed(package: Path) -> Path:
    """Four instruments; parties of two of them; one scope row (Guizhou for the opinion)."""
    chosen = {AIR, OPINION, ACTION_PLAN, INITIATIVE}
    _keep(package, "agreements", lambda r: r["agreement_id"] in chosen)
    _keep(package, "parties", lambda r: r["agreement_id"] in {AIR, INITIATIVE})
    _keep(
        package,
        "agreement_scope",
        lambda r: r["agreement_id"] == OPINION and r["jurisdiction_code"] == "520000",
    )
    return package


def test_provinces_come_from_parties_and_scope(package: Path) -> None:
    counted = coverage_of(_narrowed(package))
    assert [(code, count) for code, _, _, count in counted["provinces"]] == [
        ("360000", 1),  # Nanchang's department signed the initiative (360100 → 360000)
        ("420000", 1),  # Wuhan's
        ("430000", 1),  # Changsha's
        ("500000", 1),  # the Chongqing bureau signed the air agreement
        ("510000", 1),  # the Sichuan department
        ("520000", 1),  # the opinion's scope: no party, only agreement_scope
    ]
    assert counted["provinces"][-1][1:3] == ("Guizhou", "贵州省")


def test_years_types_and_totals(package: Path) -> None:
    counted = coverage_of(_narrowed(package))
    assert counted["years"] == [
        ("2018", 1, 0),  # the action plan: date 2018
        ("2020", 1, 0),  # the air agreement: 2020-04-01
        ("2021", 0, 1),  # the opinion: on or before 2021-06-25, no exact date
        ("2025", 1, 0),  # the initiative: 2025-12-05
    ]
    assert [(kind, count) for kind, _, count in counted["types"]] == [
        ("action_plan", 1),
        ("agreement", 1),
        ("implementation_opinion", 1),
        ("initiative", 1),
    ]
    assert (counted["instruments"], counted["parties"]) == (4, 5)


def test_the_section_states_the_counts(package: Path) -> None:
    section = coverage_section(read_package(_narrowed(package)))
    lines = section.splitlines()
    header, *sources = read_rows(package / "data/sources.csv")
    archived = sum(1 for row in sources if row[header.index("archive")])
    assert lines[2].startswith(
        f"4 instruments from {len(sources)} sources ({archived} with an archived capture), "
    )
    assert (
        "They involve 6 provincial-level divisions and 2 cooperation regions (0 river "
        in (lines[2])
    )
    assert "| Guizhou (贵州省, 520000) | 1 |" in lines
    assert "| 2021 | 0 | 1 |" in lines
