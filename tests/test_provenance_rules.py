"""Family 4: quotes are in their archived sources, numbers in their quotes."""

from __future__ import annotations

import shutil

from conftest import assert_reported
from csvedit import find_row, set_cell


def _copy_archive(archive, tmp_path):
    copy = tmp_path / "archive"
    shutil.copytree(archive, copy)
    return copy


def test_quote_not_in_source(validate, package, archive):
    line = set_cell(
        package / "data" / "indicators.csv",
        "evidence",
        "空气质量优良天数达到316天以上",
        metric="good_air_days",
    )
    out = assert_reported(
        validate(package, "--archive", archive),
        "data/indicators.csv",
        line,
        "evidence",
        "quote-not-found",
    )
    assert "cqrb-2020-04-02" in out


def test_quote_from_another_source_is_not_found(validate, package, archive):
    path = package / "data" / "parties.csv"
    line, row = find_row(path, source_id="hbrb-2025-12-07")
    set_cell(
        path, "source_id", "cqrb-2020-04-02", agreement_id=row["agreement_id"], org_id=row["org_id"]
    )
    assert_reported(
        validate(package, "--archive", archive),
        "data/parties.csv",
        line,
        "evidence",
        "quote-not-found",
    )


def test_whitespace_is_folded(validate, package, archive):
    # The article writes "建设 共同" with one space; a quote with a run of spaces still matches.
    path = package / "data" / "agreements.csv"
    _, row = find_row(path, instrument_type="implementation_opinion")
    assert "建设 共同" in row["evidence"]
    set_cell(
        path,
        "evidence",
        row["evidence"].replace("建设 共同", "建设 \u3000 共同"),
        instrument_type="implementation_opinion",
    )
    result = validate(package, "--archive", archive)
    assert "quote-not-found" not in result.out


def test_number_not_in_quote_needs_no_archive(validate, package):
    line = set_cell(package / "data" / "indicators.csv", "value", "317", metric="good_air_days")
    out = assert_reported(
        validate(package), "data/indicators.csv", line, "value", "number-not-in-quote"
    )
    assert "317 does not appear" in out


def test_change_is_matched_without_its_sign(validate, package):
    line = set_cell(
        package / "data" / "indicators.csv", "change", "-7", metric="pm25_concentration"
    )
    assert_reported(validate(package), "data/indicators.csv", line, "change", "number-not-in-quote")


def test_number_matches_whole_numbers_only(validate, package):
    # "97" is inside "97.6" but is not the number the quote states.
    line = set_cell(
        package / "data" / "indicators.csv", "value", "97", metric="good_water_quality_ratio"
    )
    assert_reported(validate(package), "data/indicators.csv", line, "value", "number-not-in-quote")


def test_archive_missing(validate, package, archive, tmp_path):
    copy = _copy_archive(archive, tmp_path)
    _, row = find_row(package / "data" / "sources.csv", source_id="szrb-2022-01-04")
    (copy / row["archive"]).unlink()
    line, _ = find_row(package / "data" / "sources.csv", source_id="szrb-2022-01-04")
    assert_reported(
        validate(package, "--archive", copy), "data/sources.csv", line, "archive", "archive-missing"
    )


def test_archive_hash_is_checked_before_the_text_is_trusted(validate, package, archive, tmp_path):
    copy = _copy_archive(archive, tmp_path)
    line, row = find_row(package / "data" / "sources.csv", source_id="szrb-2022-01-04")
    capture = copy / row["archive"]
    capture.chmod(0o644)
    capture.write_bytes(capture.read_bytes() + b"\n")
    result = validate(package, "--archive", copy)
    assert_reported(result, "data/sources.csv", line, "archive_sha256", "archive-hash")
    assert "quote-not-found" not in result.out  # its quotes are not judged against a wrong file
