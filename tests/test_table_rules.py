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
        indicator_id="zz-test-class",
        metric="water_quality_class",
        unit="water_quality_class",
        value_label="II",
    )
    line = append_row(path, **row)
    assert_reported(validate(package), "data/indicators.csv", line, "value_label", "water-class")


def test_deadline_not_before_agreement(validate, package):
    line = set_cell(
        package / "data" / "targets.csv", "deadline", "2021-12-30", metric="water_quality_class"
    )
    out = assert_reported(
        validate(package), "data/targets.csv", line, "deadline", "deadline-after-agreement"
    )
    assert "before the agreement's date 2021-12-31" in out


def test_agreement_date_not_after_published(validate, package):
    line = set_cell(
        package / "data" / "agreements.csv", "date", "2025-12-08", instrument_type="initiative"
    )
    assert_reported(validate(package), "data/agreements.csv", line, "date", "date-after-published")


@pytest.mark.parametrize(
    "date, precision", [("2025-12", "day"), ("2025", "month"), ("", "day"), ("2025-02-30", "day")]
)
def test_date_precision(validate, package, date, precision):
    path = package / "data" / "agreements.csv"
    set_cell(path, "date", date, instrument_type="initiative")
    line = set_cell(path, "date_precision", precision, instrument_type="initiative")
    assert_reported(
        validate(package), "data/agreements.csv", line, "date_precision", "date-precision"
    )


def test_no_year_after_next_year(validate, package):
    too_late = str(dt.date.today().year + 2)
    line = set_cell(_indicators(package), "year", too_late, metric="good_air_days")
    assert_reported(validate(package), "data/indicators.csv", line, "year", "future-date")


def test_gbt2260_parent(validate, package):
    line = set_cell(package / "data" / "jurisdictions.csv", "parent_code", "430000", code="420100")
    out = assert_reported(
        validate(package), "data/jurisdictions.csv", line, "parent_code", "gbt2260-parent"
    )
    assert "parent of 420100 should be 420000, not 430000" in out


def test_gbt2260_level(validate, package):
    line = set_cell(package / "data" / "jurisdictions.csv", "level", "county", code="420100")
    assert_reported(validate(package), "data/jurisdictions.csv", line, "level", "gbt2260-level")


def test_province_direct_county_parent():
    from gongbao.rules.tables import implied_level, implied_parent

    assert implied_parent("429021") == "420000"  # Shennongjia, directly under Hubei
    assert implied_level("429021") == "county"
    assert implied_parent("500000") == "100000"
    assert implied_parent("100000") is None
