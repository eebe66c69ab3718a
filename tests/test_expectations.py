"""Family 7: Great Expectations suites, opt-in on the command line, with Data Docs."""

from __future__ import annotations

import csv
import io

from conftest import assert_reported


def test_expectations_are_opt_in(validate, repo):
    result = validate(repo)
    assert "7. Great Expectations: not requested" in result.out


def test_suites_pass_and_data_docs_are_written(validate, repo, tmp_path):
    docs = tmp_path / "data-docs"
    result = validate(repo, "--data-docs", docs)
    assert result.code == 0, result.out
    assert "7. Great Expectations: passed" in result.out
    assert (docs / "index.html").is_file()
    assert list((docs / "validations").rglob("*.html"))


def test_a_drifting_distribution_fails_its_expectation(validate, package):
    # Strip the date of every instrument (keeping bounds that no longer read from it):
    # "many instruments are dated" no longer holds.
    sources = list(csv.reader(io.StringIO((package / "data" / "sources.csv").read_text("utf-8"))))
    published = {r[0]: r[sources[0].index("published")] for r in sources[1:]}
    path = package / "data" / "agreements.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    at = {name: header.index(name) for name in header}
    for row in rows[1:]:
        row[at["date"]] = ""
        if row[at["date_latest"]] == published[row[at["source_id"]]] == row[at["date_earliest"]]:
            # dated on the article's day: now only bounded by it (rule D1)
            row[at["date_earliest"]], row[at["date_earliest_basis"]] = "", "unbounded"
            row[at["date_latest_basis"]] = "published"
            continue
        for name in ("date_earliest_basis", "date_latest_basis"):
            if row[at[name]] in ("stated", "resolved", "month_day"):
                row[at[name]] = "relative_to_event"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    result = validate(package, "--expectations")
    line = assert_reported(result, "data/agreements.csv", None, "date", "expectation")
    assert "expect_column_values_to_not_be_null" in line
