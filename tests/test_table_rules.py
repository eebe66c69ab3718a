"""Family 3: the pandera table rules a Table Schema cannot say."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import assert_reported
from csvedit import append_row, find_row, set_cell


def _indicators(package):
    return package / "data" / "indicators.csv"


def test_unit_must_equal_the_metric_unit(validate, package):
    line = set_cell(_indicators(package), "unit", "count", metric="good_air_days")
    assert_reported(validate(package), "data/indicators.csv", line, "unit", "metric-unit")


def test_percent_is_0_to_100(validate, package):
    line = set_cell(_indicators(package), "value", "976", metric="good_water_quality_ratio")
    result = validate(package)
    assert_reported(result, "data/indicators.csv", line, "value", "percent-range")
    assert f"indicators.csv:{line}: value: metric-range" not in result.out  # reported once


def test_days_at_most_366(validate, package):
    line = set_cell(_indicators(package), "value", "367", metric="good_air_days")
    assert_reported(validate(package), "data/indicators.csv", line, "value", "day-range")


def test_value_within_metric_range(validate, package):
    line = set_cell(_indicators(package), "value", "-1", metric="assessed_water_sections")
    assert_reported(validate(package), "data/indicators.csv", line, "value", "metric-range")


def test_excellent_days_at_most_good_days(validate, package):
    line = set_cell(_indicators(package), "value", "320", metric="excellent_air_days")
    out = assert_reported(
        validate(package), "data/indicators.csv", line, "value", "excellent-le-good"
    )
    assert "320 excellent-air days exceed the 316 good-air days of 500000 in 2019" in out


def test_change_needs_change_unit(validate, package):
    line = set_cell(_indicators(package), "change_unit", "", metric="excellent_air_days")
    out = assert_reported(
        validate(package), "data/indicators.csv", line, "change_unit", "change-unit"
    )
    assert "change is set but change_unit is empty" in out


def test_indicator_must_report_something(validate, package):
    line = set_cell(_indicators(package), "value_label", "", metric="soil_environment_quality")
    assert_reported(validate(package), "data/indicators.csv", line, "value", "indicator-empty")


def test_water_class_labels(validate, package):
    path = _indicators(package)
    _, row = find_row(path, metric="water_quality_grade")
    row.update(
        indicator_id="zz-2019-test-class",
        metric="water_quality_class",
        unit="water_quality_class",
        value_label="II",
    )
    line = append_row(path, **row)
    assert_reported(validate(package), "data/indicators.csv", line, "value_label", "water-class")


def test_no_year_after_next_year(validate, package):
    too_late = str(dt.date.today().year + 2)
    line = set_cell(_indicators(package), "year", too_late, metric="good_air_days")
    assert_reported(validate(package), "data/indicators.csv", line, "year", "future-date")


# -- dates: every instrument on a timeline --------------------------------------------------


def _agreements(package):
    return package / "data" / "agreements.csv"


def _set(path, match: dict[str, str], **cells: str) -> int:
    line = 0
    for field, value in cells.items():
        line = set_cell(path, field, value, **match)
    return line


def _errors(result) -> list[tuple[str, str]]:
    """(location and field, rule) of each error line: 'data/x.csv:3: date', 'date-bounds'."""
    return [(": ".join(line.split(": ")[:2]), line.split(": ")[2]) for line in result.errors]


INITIATIVE = {"agreement_id": "wh-cs-nc-eco-env-cooperation-initiative-2025"}
OPINION = {"agreement_id": "sc-cq-territorial-eco-restoration-opinion"}
AIR_PLAN = {"agreement_id": "chengdu-chongqing-regional-air-pollution-plan"}  # no child
SPATIAL_PLAN = {"agreement_id": "xiang-shi-sui-shen-territorial-spatial-plan"}


def test_every_instrument_has_a_latest_date(validate, package):
    line = set_cell(_agreements(package), "date_latest", "", **OPINION)
    out = assert_reported(validate(package), "data/agreements.csv", line, "date_latest", "required")
    assert "required value is empty" in out


def test_deadline_not_before_agreement(validate, package):
    line = set_cell(
        package / "data" / "targets.csv",
        "deadline",
        "2021-12-30",
        agreement_id="suizhou-xiang-shi-sui-shen-green-integration-decision-2021",
        metric="water_quality_class",
    )
    out = assert_reported(
        validate(package), "data/targets.csv", line, "deadline", "deadline-after-agreement"
    )
    assert "deadline 2021-12-30 is before the agreement's earliest date 2021-12-31" in out


def test_agreement_date_not_after_published(validate, package):
    day = "2025-12-08"
    line = _set(_agreements(package), INITIATIVE, date=day, date_earliest=day, date_latest=day)
    out = assert_reported(
        validate(package), "data/agreements.csv", line, "date_latest", "date-after-published"
    )
    assert "date_latest 2025-12-08 is after the source's date (2025-12-07, published)" in out


def test_a_published_bound_is_the_publication_date(validate, package):
    line = set_cell(_agreements(package), "date_latest", "2020-04-01", **AIR_PLAN)
    out = assert_reported(
        validate(package), "data/agreements.csv", line, "date_latest", "date-after-published"
    )
    assert "has basis 'published', but the source's published date is 2020-04-02" in out


@pytest.mark.parametrize(
    "cells, field, words",
    [
        ({"date_earliest": "2025-12-04"}, "date_earliest", "should be 2025-12-05, the first day"),
        ({"date": "2025-02-30"}, "date", "date '2025-02-30' names no real day"),
        (
            {"date": "2025-12", "date_earliest": "2025-12-01"},
            "date_latest",
            "date_latest 2025-12-05 (basis resolved) should be 2025-12-31, the last day of date "
            "2025-12",
        ),
    ],
)
def test_date_stated_bounds(validate, package, cells, field, words):
    line = _set(_agreements(package), INITIATIVE, **cells)
    out = assert_reported(
        validate(package), "data/agreements.csv", line, field, "date-stated-bounds"
    )
    assert words in out


def test_a_bound_read_from_an_empty_date(validate, package):
    line = set_cell(_agreements(package), "date", "", **INITIATIVE)
    result = validate(package)
    assert _errors(result) == [
        (f"data/agreements.csv:{line}: date_earliest", "date-stated-bounds"),
        (f"data/agreements.csv:{line}: date_latest", "date-stated-bounds"),
    ]
    assert "date_earliest has basis 'resolved', but date is empty" in result.errors[0]


def test_a_year_gives_its_first_and_last_day(validate, package):
    """2018 is 2018-01-01 … 2018-12-31: the row of the action plan passes as it is, and a
    bound inside the year is refused."""
    path = _agreements(package)
    match = {"agreement_id": "sc-cq-yangtze-economic-belt-action-plan-2018"}
    assert validate(package).code == 0
    line = set_cell(path, "date_latest", "2018-06-30", **match)
    assert_reported(
        validate(package), "data/agreements.csv", line, "date_latest", "date-stated-bounds"
    )


def test_a_month_day_without_its_year(validate, package):
    """XXXX-MM-DD: a month and day whose year the source does not give; date_latest is the
    last such day on or before the source's date (basis month_day)."""
    path = _agreements(package)
    _set(
        path,
        INITIATIVE,
        date="XXXX-12-05",
        date_earliest="",
        date_earliest_basis="unbounded",
        date_latest_basis="month_day",
    )
    assert validate(package).code == 0
    line = set_cell(path, "date_latest", "2024-12-05", **INITIATIVE)
    out = assert_reported(
        validate(package), "data/agreements.csv", line, "date_latest", "date-stated-bounds"
    )
    assert "is not the last 12-05 on or before the source's date 2025-12-07: 2025-12-05" in out


@pytest.mark.parametrize(
    "cells, field, rule, words",
    [
        (
            {"date_earliest_basis": "after_reference"},
            "date_earliest",
            "date-bounds",
            "not 'unbounded'",
        ),
        ({"date_earliest": "2021-01-01"}, "date_earliest", "date-bounds", "basis is 'unbounded'"),
        ({"date_latest_basis": "after_reference"}, "date_latest", "date-bounds", "from above"),
        (
            {"date_earliest": "2021-06-26", "date_earliest_basis": "after_reference"},
            "date_earliest",
            "date-bounds",
            "date_earliest 2021-06-26 is after date_latest 2021-06-25",
        ),
    ],
)
def test_date_bounds(validate, package, cells, field, rule, words):
    line = _set(_agreements(package), OPINION, **cells)
    out = assert_reported(validate(package), "data/agreements.csv", line, field, rule)
    assert words in out


def test_before_a_meeting_bounds_from_above(validate, package):
    """会前: the meeting's date is the latest bound, never the earliest."""
    match = {"agreement_id": "js-ah-2-12-air-joint-prevention-memorandum"}
    line = _set(
        _agreements(package), match, date_earliest="2022-08-17", date_earliest_basis="event"
    )
    out = assert_reported(
        validate(package), "data/agreements.csv", line, "event_relation", "event-relation"
    )
    assert "the act was before it (会前): unbounded" in out


def test_an_event_needs_its_relation(validate, package):
    match = {"agreement_id": "sc-cq-air-pollution-agreement-2020"}
    line = set_cell(_agreements(package), "event_relation", "", **match)
    out = assert_reported(
        validate(package), "data/agreements.csv", line, "event_relation", "event-relation"
    )
    assert "event is set but event_relation is empty" in out


def test_a_parent_bound_needs_the_parent(validate, package):
    line = set_cell(_agreements(package), "parent_agreement_id", "", **SPATIAL_PLAN)
    out = assert_reported(
        validate(package), "data/agreements.csv", line, "parent_agreement_id", "parent-date"
    )
    assert "has basis 'parent' but parent_agreement_id is empty" in out


def test_an_instrument_dated_on_its_article_date(validate, package):
    """The issue's check: dated on the publication day while the quote states no day."""
    day = "2021-06-25"
    cells = dict(
        date=day, date_earliest=day, date_earliest_basis="resolved", date_latest_basis="resolved"
    )
    line = _set(_agreements(package), OPINION, **cells)
    out = assert_reported(
        validate(package),
        "data/agreements.csv",
        line,
        "date_latest",
        "instrument-date-is-article-date",
    )
    assert "dated on its source's date (2021-06-25), but its quote does not state that day" in out


@pytest.mark.parametrize(
    "evidence, accepted",
    [
        ("6月25日,重庆市规划和自然资源局与四川省自然资源厅共同印发实施意见", True),
        ("25日,重庆市规划和自然资源局与四川省自然资源厅共同印发实施意见", True),
        ("24日,重庆市规划和自然资源局与四川省自然资源厅共同印发实施意见", False),
        ("2月25日,重庆市规划和自然资源局与四川省自然资源厅共同印发实施意见", False),
    ],
)
def test_an_article_date_the_quote_states_is_accepted(validate, package, evidence, accepted):
    """A quote that states the day (6月25日, or 25日 alone: a day of the article's month,
    codebook D3) may date an instrument on the article's day; another day, or another
    month's, may not (the quote is not checked against a capture here: no archive)."""
    day = "2021-06-25"
    line = _set(
        _agreements(package),
        OPINION,
        date=day,
        date_earliest=day,
        date_earliest_basis="resolved",
        date_latest_basis="resolved",
        evidence=evidence,
    )
    result = validate(package)
    if accepted:
        assert result.code == 0, result.out
    else:
        assert_reported(
            result, "data/agreements.csv", line, "date_latest", "instrument-date-is-article-date"
        )


def test_an_instrument_only_moves_forward(validate, package):
    """An earlier status (agreement_events) is an earlier stage; planned before signed is
    fine, implemented before signed is not."""
    path = package / "data" / "agreement_events.csv"
    row = dict(
        agreement_id="sc-cq-air-pollution-agreement-2020",
        status="planned",
        date_earliest_basis="unbounded",
        date_latest="2020-04-01",
        date_latest_basis="resolved",
        date="2020-04-01",
        date_earliest="2020-04-01",
        source_id="cqrb-2020-04-02",
        evidence="并现场签订了《深化川渝两地大气污染联合防治协议》",
    )
    row["date_earliest_basis"] = "resolved"
    line = append_row(path, **row)
    assert validate(package).code == 0
    set_cell(path, "status", "implemented", agreement_id=row["agreement_id"])
    out = assert_reported(
        validate(package), "data/agreement_events.csv", line, "status", "lifecycle"
    )
    assert "'implemented' is not an earlier stage than the instrument's status 'signed'" in out


def test_a_source_needs_a_date(validate, package):
    line = set_cell(package / "data" / "sources.csv", "published", "", source_id="szrb-2022-01-04")
    out = assert_reported(validate(package), "data/sources.csv", line, "published", "source-date")
    assert "gives no publication date and no retrieval date" in out
    # an undated page is dated by its retrieval: then the source is fine
    set_cell(
        package / "data" / "sources.csv", "retrieved", "2022-01-04", source_id="szrb-2022-01-04"
    )
    assert validate(package).code == 0


# -- places: GB/T 2260 ----------------------------------------------------------------------


def _jurisdictions(package):
    return package / "data" / "jurisdictions.csv"


def test_an_unknown_code_names_the_nearest(validate, package):
    line = append_row(
        _jurisdictions(package),
        code="610999",
        name_zh="白河县",
        name_en="Baihe",
        short_zh="白河",
        level="county",
        division_type="county",
        parent_code="100000",
    )
    out = assert_reported(
        validate(package), "data/jurisdictions.csv", line, "code", "gbt2260-unknown"
    )
    assert "610999 is not a GB/T 2260 code (lists 1980-12 … 2026-09); nearest: 610929 白河县" in out


def test_an_unknown_code_without_a_matching_name(validate, package):
    append_row(
        _jurisdictions(package),
        code="610999",
        name_zh="某县",
        name_en="X",
        short_zh="某",
        level="county",
        division_type="county",
        parent_code="100000",
    )
    out = validate(package).errors[0]
    assert out.endswith(
        "nearest: 610981 旬阳市, 610929 白河县, 610928 旬阳县 (historical) (correct the code "
        "(the nearest ones are named); gongbao new jurisdiction --code CODE fills a row from "
        "the reference)"
    )


def test_a_name_must_match_its_code(validate, package):
    line = set_cell(_jurisdictions(package), "name_zh", "襄阳市", code="420300")
    out = assert_reported(
        validate(package), "data/jurisdictions.csv", line, "name_zh", "gbt2260-name"
    )
    assert "420300 is 十堰市 in GB/T 2260, never 襄阳市; 襄阳市 is 420600" in out


def test_gbt2260_parent(validate, package):
    line = set_cell(_jurisdictions(package), "parent_code", "430000", code="420100")
    out = assert_reported(
        validate(package), "data/jurisdictions.csv", line, "parent_code", "gbt2260-parent"
    )
    assert "parent of 420100 is 420000 in GB/T 2260, not 430000" in out


def test_gbt2260_level(validate, package):
    line = set_cell(_jurisdictions(package), "level", "county", code="420100")
    out = assert_reported(
        validate(package), "data/jurisdictions.csv", line, "level", "gbt2260-level"
    )
    assert "420100 is a prefecture code in GB/T 2260, not county" in out


def test_a_historical_code_is_accepted_for_facts_of_its_time(validate, package):
    """420619 随州市 was a county-level city of 襄樊 until 1984: a figure of 1983 may use it,
    a figure of 2019 may not."""
    append_row(
        _jurisdictions(package),
        code="420619",
        name_zh="随州市",
        name_en="Suizhou (county-level city, until 1984)",
        short_zh="随州",
        level="county",
        division_type="county_city",
        parent_code="420600",
    )
    path = _indicators(package)
    _, row = find_row(path, metric="good_air_days")
    row.update(indicator_id="sz-1983-good-air-days", jurisdiction_code="420619", year="1983")
    append_row(path, **row)
    assert validate(package).code == 0
    set_cell(path, "year", "2019", indicator_id="sz-1983-good-air-days")
    set_cell(path, "indicator_id", "sz-2019-good-air-days", indicator_id="sz-1983-good-air-days")
    line = len(_jurisdictions(package).read_text(encoding="utf-8").splitlines())
    out = assert_reported(
        validate(package), "data/jurisdictions.csv", line, "name_zh", "gbt2260-period"
    )
    assert (
        "420619 随州市 is valid 1982-12 … 1984-12 in GB/T 2260, but indicators uses it in "
        "2019-01 … 2019-12"
    ) in out


def test_a_renamed_code_is_checked_against_the_facts_dates(validate, package):
    line = set_cell(_jurisdictions(package), "name_zh", "襄樊市", code="420600")
    out = assert_reported(
        validate(package), "data/jurisdictions.csv", line, "name_zh", "gbt2260-period"
    )
    assert "420600 襄樊市 is valid until 2010-12 in GB/T 2260" in out
    assert "then it was 襄阳市" in out


def test_the_reference_gives_levels_and_parents():
    from gongbao.gbt2260 import load, reference_level, reference_parent

    ref = load()
    assert reference_parent(ref, "429021") == "420000"  # Shennongjia, directly under Hubei
    assert reference_level(ref, "429021") == "county"
    assert reference_parent(ref, "500101") == "500000"  # a municipality's district
    assert reference_parent(ref, "500000") == "100000"
    assert reference_parent(ref, "100000") is None
    assert reference_level(ref, "810000") == "province"  # a special administrative region
    assert reference_level(ref, "420100001") == "township"
    assert reference_parent(ref, "420100001") == "420100"
    assert ref.vintage == "63 lists, 1980-12 … 2026-09"


# -- organizations ------------------------------------------------------------------------------


def _organizations(package):
    return package / "data" / "organizations.csv"


def test_two_organizations_with_one_name(validate, package):
    """The issue's check: a second row for a body that has one, in another wording."""
    line = append_row(
        _organizations(package),
        org_id="shanghai-cpc-party-committee",
        name_zh="中共上海市委",
        name_en="CPC Shanghai Committee",
        org_type="party_committee",
        level="province",
        jurisdiction_code="310000",
    )
    out = assert_reported(
        validate(package), "data/organizations.csv", line, "name_zh", "duplicate-organization"
    )
    assert "中共上海市委 is also a name of shanghai-party-committee (上海市委)" in out


def test_an_alias_is_a_name_too(validate, package):
    append_row(
        package / "data" / "organization_aliases.csv",
        org_id="wuhan-eco-env-dept",
        alias_zh="长沙市生态环境部门",
        kind="descriptive",
        source_id="hbrb-2025-12-07",
        evidence="武汉、长沙、南昌生态环境部门共同签署",
    )
    line, _ = find_row(_organizations(package), org_id="wuhan-eco-env-dept")
    out = assert_reported(
        validate(package), "data/organizations.csv", line, "name_zh", "duplicate-organization"
    )
    assert "长沙市生态环境部门 is also a name of changsha-eco-env-dept" in out


def test_a_region_body_has_no_jurisdiction(validate, package):
    line = set_cell(
        _organizations(package),
        "jurisdiction_code",
        "310000",
        org_id="yrd-eco-env-publicity-education-alliance",
    )
    out = assert_reported(
        validate(package), "data/organizations.csv", line, "jurisdiction_code", "org-place"
    )
    assert "give jurisdiction_code or region_id, not both" in out


# -- parties, memberships, commitment parties ---------------------------------------------------


@pytest.mark.parametrize(
    "table, match",
    [
        ("parties", {"attribution": "inferred"}),
        ("memberships", {"attribution": "inferred"}),
        ("commitment_parties", {"attribution": "inferred"}),
    ],
)
def test_an_inferred_row_needs_its_reasoning(validate, package, table, match):
    """The issue's check, on every table that attributes a body."""
    line = set_cell(package / "data" / f"{table}.csv", "note", "", **match)
    out = assert_reported(
        validate(package), f"data/{table}.csv", line, "note", "inferred-without-note"
    )
    assert "needs a note giving the reasoning" in out


def test_a_stated_row_has_a_stated_basis(validate, package):
    match = {"attribution": "stated", "attribution_basis": "named"}
    line = set_cell(package / "data" / "parties.csv", "attribution_basis", "frame", **match)
    out = assert_reported(
        validate(package), "data/parties.csv", line, "attribution_basis", "attribution-basis"
    )
    assert "stated with basis 'frame'" in out


def test_an_antecedent_only_for_a_collective_reference(validate, package):
    match = {"attribution_basis": "named"}
    line = set_cell(package / "data" / "parties.csv", "antecedent", "双方", **match)
    out = assert_reported(
        validate(package), "data/parties.csv", line, "antecedent", "collective-antecedent"
    )
    assert "an antecedent belongs to basis collective, not 'named'" in out


# -- commitments, maps, ids ------------------------------------------------------------------


def test_an_announced_commitment_needs_its_announcer(validate, package):
    path = package / "data" / "commitment_parties.csv"
    set_cell(path, "role", "participant", commitment_id="wh-cs-nc-integrated-cooperation-mechanism")
    # three announcers: each row of the three departments
    for org in ("nanchang-eco-env-dept", "wuhan-eco-env-dept"):
        set_cell(
            path,
            "role",
            "participant",
            commitment_id="wh-cs-nc-integrated-cooperation-mechanism",
            org_id=org,
        )
    line, _ = find_row(
        package / "data" / "commitments.csv",
        commitment_id="wh-cs-nc-integrated-cooperation-mechanism",
    )
    out = assert_reported(
        validate(package), "data/commitments.csv", line, "agreement_id", "commitment-container"
    )
    assert "needs its announcer" in out


def test_every_instrument_is_on_the_map(validate, package):
    """The action plan has no party: it is placed through the places its title names."""
    path = package / "data" / "agreement_scope.csv"
    text = path.read_text(encoding="utf-8")
    kept = [
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith("sc-cq-yangtze-economic-belt-action-plan-2018,")
    ]
    path.write_text("".join(kept), encoding="utf-8")
    line, _ = find_row(
        _agreements(package), agreement_id="sc-cq-yangtze-economic-belt-action-plan-2018"
    )
    assert_reported(validate(package), "data/agreements.csv", line, "agreement_id", "placed")


def test_a_source_id_ends_with_its_date(validate, package):
    line = append_row(
        package / "data" / "sources.csv",
        source_id="cqrb-2020-04-03",
        title="“云”上达共识:生态共建环境共管",
        publisher="重庆日报",
        published="2020-04-02",
        url="http://difang.gmw.cn/cq/2020-04/02/content_33708588.htm",
        retrieved="2026-12-01",
    )
    out = assert_reported(validate(package), "data/sources.csv", line, "source_id", "id-convention")
    assert "cqrb-2020-04-03 does not end with its date: <publisher>-2020-04-02" in out


@pytest.mark.parametrize(
    "table, match, field, value, words",
    [
        (
            "organizations",
            {"org_id": "sichuan-eco-env-dept"},
            "org_type",
            "natural_resources_department",
            "does not contain the words 'natural-resources' of its type",
        ),
        (
            "agreements",
            {"agreement_id": "sc-cq-air-pollution-agreement-2020"},
            "agreement_id",
            "sc-cq-air-pollution-agreement-2021",
            "ends with 2021, but its date is 2020-04-01",
        ),
        (
            "commitments",
            {"commitment_id": "sc-cq-air-pollution-agreement-2020-air-joint-prevention"},
            "mechanism",
            "joint_enforcement",
            "is not <agreement_id>-<mechanism>[-n]: "
            "sc-cq-air-pollution-agreement-2020-joint-enforcement",
        ),
        (
            "targets",
            {"metric": "water_quality_class"},
            "deadline",
            "2026-12-31",
            "does not contain its deadline's year: <agreement>-2026-<metric>",
        ),
    ],
)
def test_ids_follow_their_table_convention(validate, package, table, match, field, value, words):
    """The issue's check: an id that breaks its table's convention, where the row's own cells
    decide it."""
    line = set_cell(package / "data" / f"{table}.csv", field, value, **match)
    id_field = {"organizations": "org_id", "agreements": "agreement_id"}
    id_field |= {"commitments": "commitment_id", "targets": "target_id"}
    if table == "agreements":  # the id itself changed: its parties and scope follow it
        for other in ("parties", "agreement_scope", "commitments"):
            path = package / "data" / f"{other}.csv"
            path.write_text(
                path.read_text(encoding="utf-8").replace(match["agreement_id"], value),
                encoding="utf-8",
            )
    out = assert_reported(
        validate(package), f"data/{table}.csv", line, id_field[table], "id-convention"
    )
    assert words in out


def test_a_rule_that_raises_is_a_crash_not_a_pass(package, monkeypatch):
    """pandera records an exception in a check as a failure without a row, which the report
    would read as a pass: the validator raises instead."""
    import dataclasses

    from gongbao.rules import tables
    from gongbao.validate import validate as validate_package

    def broken(df, ctx, field):
        raise TypeError("bad operand type for unary ~: 'float'")

    broken.__module__ = "gongbao.rules.dates"  # runs where the real rule runs
    patched = [
        dataclasses.replace(r, ok=broken) if r.rule == "deadline-after-agreement" else r
        for r in tables.RULES
    ]
    monkeypatch.setattr(tables, "RULES", patched)
    with pytest.raises(tables.RuleCrashed, match="a table rule on targets raised: TypeError"):
        validate_package(package)


def test_a_term_of_places_counts_places(validate, package):
    """两地生态环境和水利部门: two places, two departments each, so four rows rest on 两地;
    a body of a third place among them is a miscount."""
    path = package / "data" / "commitment_parties.csv"
    commitment = "xiaoxian-yongcheng-coordinated-incident-handling"
    assert commitment not in validate(package).out
    set_cell(
        path,
        "org_id",
        "chongqing-eco-env-bureau",
        commitment_id=commitment,
        org_id="xiaoxian-water-resources-bureau",
    )
    result = validate(package)
    warned = [x for x in result.out.splitlines() if commitment in x]
    assert len(warned) == 1 and "collective-count" in warned[0]
    assert f"(两地) refers to 2, but 4 rows of {commitment} rest on it" in warned[0]
