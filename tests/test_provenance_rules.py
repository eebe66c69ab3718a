"""Family 4: quotes are in their archived sources, numbers in their quotes."""

from __future__ import annotations

import shutil

import pytest

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
        package / "data" / "indicators.csv",
        "change",
        "-7",
        jurisdiction_code="500000",
        metric="pm25_concentration",
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


# -- the article body, segments and antecedents ---------------------------------------------


def test_every_quote_lies_in_its_article_body(validate, repo, archive):
    """The shipped package: all quotes (evidence, antecedents, aliases' evidence) are found
    between each source's body_start and body_end."""
    result = validate(repo, "--archive", archive)
    assert result.code == 0, result.out


def test_a_headline_supports_no_row(validate, package, archive):
    """The issue's check: a quote found in the capture, but only in its headline."""
    path = package / "data" / "commitments.csv"
    match = {"commitment_id": "wh-cs-nc-integrated-cooperation-mechanism"}
    line = set_cell(path, "evidence", "建立常态化合作会商机制", **match)
    out = assert_reported(
        validate(package, "--archive", archive),
        "data/commitments.csv",
        line,
        "evidence",
        "quote-outside-body",
    )
    assert (
        "quote of source hbrb-2025-12-07 is not in the article body (between body_start and "
        "body_end): '建立常态化合作会商机制'"
    ) in out


def test_a_photo_caption_supports_no_row(validate, package, archive):
    path = package / "data" / "indicators.csv"
    line = set_cell(
        path,
        "evidence",
        "合川与广安生态环境部门工作人员在嘉陵江交界断面联合进行水质采样监测",
        metric="acoustic_environment_quality",
    )
    assert_reported(
        validate(package, "--archive", archive),
        "data/indicators.csv",
        line,
        "evidence",
        "quote-outside-body",
    )


def test_a_teaser_before_the_body_is_skipped(repo, archive):
    """cqrb-2021-06-25 repeats its first sentence in a teaser under the headline: the body
    starts at the last occurrence of body_start, so the teaser is not body."""
    from gongbao.rules.provenance import Capture, fold

    text = (archive / "004_37c85f85672b322f.txt").read_text(encoding="utf-8")
    capture = Capture(fold(text), [])
    start = fold("重庆市规划和自然资源局与四川省自然资源厅共同印发")
    end = fold("(记者 申晓佳)")
    first, last = capture.text.find(start), capture.text.find(end)
    body = capture.text.rfind(start, 0, last)
    assert first < body  # two occurrences: the teaser's, then the body's
    capture.body = (body, last + len(end))
    teaser_end = capture.text.find(fold("(以下简"), first)
    assert teaser_end < body  # the teaser, cut short at 以下简, lies before the body
    assert capture.in_body(fold("(以下简称《实施意见》)"))


def test_body_anchors_must_be_in_the_capture(validate, package, archive):
    path = package / "data" / "sources.csv"
    line = set_cell(path, "body_start", "相关内容", source_id="hbrb-2025-12-07")
    out = assert_reported(
        validate(package, "--archive", archive),
        "data/sources.csv",
        line,
        "body_start",
        "body-anchors",
    )
    assert "body_start '相关内容' is not in the capture before body_end" in out


def test_a_captured_source_names_its_body(validate, package):
    """Without the archive too: a source with a capture needs its anchors."""
    path = package / "data" / "sources.csv"
    line = set_cell(path, "body_end", "", source_id="szrb-2022-01-04")
    out = assert_reported(validate(package), "data/sources.csv", line, "body_end", "body-anchors")
    assert "a source with a capture needs body_end" in out


@pytest.mark.parametrize(
    "evidence, words",
    [
        (
            "会议期间[…]双方[…]并现场签订了[…]《深化川渝两地大气污染联合防治协议》",
            "joins 4 segments (at most three)",
        ),
        ("会议期间,双方[…]", "has an empty segment"),
        (
            "会议期间,双方[…]市生态环境局相关负责人表示",  # two paragraphs
            "has segments that are not in order within one paragraph",
        ),
    ],
)
def test_segments_of_one_paragraph(validate, package, archive, evidence, words):
    match = {"agreement_id": "sc-cq-air-pollution-agreement-2020", "org_id": "sichuan-eco-env-dept"}
    line = set_cell(package / "data" / "parties.csv", "evidence", evidence, **match)
    out = assert_reported(
        validate(package, "--archive", archive),
        "data/parties.csv",
        line,
        "evidence",
        "evidence-segments",
    )
    assert words in out


def test_an_antecedent_comes_first(validate, package, archive):
    match = {"agreement_id": "sc-cq-air-pollution-agreement-2020", "org_id": "sichuan-eco-env-dept"}
    line = set_cell(package / "data" / "parties.csv", "antecedent", "四川合作", **match)
    out = assert_reported(
        validate(package, "--archive", archive),
        "data/parties.csv",
        line,
        "antecedent",
        "antecedent-before-quote",
    )
    assert "antecedent '四川合作' first occurs after the start of the quote" in out


# -- names in quotes ---------------------------------------------------------------------


STATED = [
    # (table, match, cells, words): the check, a stated body its quote does not name
    (
        "parties",
        {
            "agreement_id": "wh-cs-nc-eco-env-cooperation-initiative-2025",
            "org_id": "wuhan-eco-env-dept",
        },
        {"named_as": "武汉市生态环境局"},
        "named_as '武汉市生态环境局' is not in the quote",
    ),
    (
        "parties",
        {
            "agreement_id": "wh-cs-nc-eco-env-cooperation-initiative-2025",
            "org_id": "wuhan-eco-env-dept",
        },
        {"named_as": "长沙"},
        "'长沙' is not a name or alias of wuhan-eco-env-dept (武汉市生态环境部门)",
    ),
    (
        "parties",
        {"agreement_id": "sc-cq-air-pollution-agreement-2020", "org_id": "sichuan-eco-env-dept"},
        {"antecedent": "重庆市生态环境局以视频方式"},
        "the antecedent names neither sichuan-eco-env-dept (四川省生态环境厅) nor its place",
    ),
    (
        "parties",
        {"agreement_id": "sc-cq-air-pollution-agreement-2020", "org_id": "sichuan-eco-env-dept"},
        {"named_as": "会议期间"},
        "'会议期间' contains no collective term",
    ),
    (
        "memberships",
        {"member_org_id": "ministry-of-ecology-environment"},
        {"named_as": "协作小组副组长"},
        "officeholder '协作小组副组长' does not begin with ministry-of-ecology-environment's name",
    ),
    (
        "commitment_parties",
        {"org_id": "chongqing-eco-env-bureau", "role": "announcer"},
        {"named_as": ""},
        "a stated row needs named_as",
    ),
]


@pytest.mark.parametrize("table, match, cells, words", STATED, ids=[s[3][:30] for s in STATED])
def test_a_stated_body_is_named_by_its_quote(validate, package, table, match, cells, words):
    path = package / "data" / f"{table}.csv"
    line = 0
    for field, value in cells.items():
        line = set_cell(path, field, value, **match)
    out = assert_reported(
        validate(package), f"data/{table}.csv", line, "named_as", "stated-name-in-quote"
    )
    assert words in out


def test_an_alias_names_its_body(validate, package):
    """市生态环境局 names the Chongqing bureau only through its alias: without the alias,
    the announcer's quote no longer names it."""
    path = package / "data" / "organization_aliases.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "".join(
            line
            for line in text.splitlines(keepends=True)
            if not line.startswith("chongqing-eco-env-bureau,")
        ),
        encoding="utf-8",
    )
    result = validate(package)
    assert result.code == 1
    assert {line.split(": ")[2] for line in result.errors} == {"stated-name-in-quote"}
    # every stated row that names the bureau only as 市生态环境局: the commitments it announces
    assert len(result.errors) == 6


def test_a_named_commitment_is_named_by_its_quote(validate, package):
    path = package / "data" / "commitments.csv"
    match = {"commitment_id": "chongqing-cross-boundary-environmental-emergency-mechanism"}
    line = set_cell(path, "name_zh", "跨界突发环境事件应急处置机制", **match)
    out = assert_reported(
        validate(package), "data/commitments.csv", line, "name_zh", "commitment-name-in-quote"
    )
    assert "name '跨界突发环境事件应急处置机制' is not in the quote" in out


NUMBER_CASES = [
    # (value, quote, in the quote)
    ("316", "空气质量优良天数达到316天", True),
    ("316", "达到3160天", False),
    ("316", "达到316.5天", False),
    ("316", "第1316天", False),
    ("316", "1.2.316天", True),  # findall's tokens: 1.2, 316 (the search leaves it to Python)
    ("316", "316.0天", True),
    ("316", "0316天", True),
    ("30.5", "浓度30.50微克", True),
    ("30.5", "浓度30.5.1微克", True),  # tokens 30.5 and 1
    ("0.5", "下降0.5个百分点", True),
    ("0.5", "下降.5个百分点", False),
    ("0", "为0。", True),
    ("0", "为10。", False),
    ("-5", "下降5%", True),
    ("5", "增长1.5%", False),
    ("1e3", "1000", True),  # not a plain decimal: exactly as Decimal reads it, in Python
    ("7.10", "7.1", True),
]


def test_numbers_in_quotes_by_search_agree_with_decimal_tokens():
    """The RE2 search per distinct value says what Decimal over the quote's number tokens
    says: the search only settles the pairs it is sure of, Python the rest."""
    import pyarrow as pa

    from gongbao.rules.provenance import _number_in_quote, _numbers_absent

    values = pa.array([v for v, _, _ in NUMBER_CASES])
    quotes = pa.array([q for _, q, _ in NUMBER_CASES])
    absent = _numbers_absent(values, quotes).tolist()
    assert absent == [not found for _, _, found in NUMBER_CASES]
    assert absent == [not _number_in_quote(v, q) for v, q, _ in NUMBER_CASES]


def test_numbers_in_quotes_across_chunks():
    """A column read in blocks comes as chunks: each value's quotes are picked out of every
    chunk, and the answer is the same as for one array."""
    import pyarrow as pa

    from gongbao.rules.provenance import _numbers_absent

    values = [v for v, _, _ in NUMBER_CASES] * 3
    quotes = [q for _, q, _ in NUMBER_CASES] * 3
    cut = len(values) // 2 + 1
    chunked = _numbers_absent(
        pa.chunked_array([values[:cut], values[cut:]]),
        pa.chunked_array([quotes[:cut], quotes[cut:]]),
    )
    assert chunked.tolist() == [not found for _, _, found in NUMBER_CASES] * 3


@pytest.mark.parametrize("rows", [1_000, 100_000])  # repeated values; a pair on almost every row
def test_distinct_pairs_are_those_of_the_usable_rows_with_both_cells(rows):
    """Whichever way the pairs are found (dictionary codes, or a row each when the second
    column is mostly distinct), each usable row with both cells set maps to a pair holding
    its own two values, and every other row to none (-1)."""
    import numpy as np
    from test_schema_rules import _in_memory

    from gongbao.rules.provenance import _distinct_codes

    first = [None if i % 7 == 0 else f"s{i % 5}" for i in range(rows)]
    second = [None if i % 11 == 0 else f"q{i if rows > 1_000 else i % 13}" for i in range(rows)]
    table = _in_memory({"source_id": first, "evidence": second})
    assert table.mostly_distinct("evidence") == (rows > 1_000)
    usable = np.array([i % 3 != 0 for i in range(rows)])
    codes, distinct, firsts, seconds = _distinct_codes(table, "source_id", "evidence", usable)
    values = zip(firsts.to_pylist(), seconds.to_pylist(), strict=True)
    pairs = dict(zip(distinct.tolist(), values, strict=True))
    assert len(pairs) == len(distinct)
    for row in range(rows):
        wanted = usable[row] and first[row] is not None and second[row] is not None
        if wanted:
            assert pairs[int(codes[row])] == (first[row], second[row]), row
        else:
            assert codes[row] == -1, row


@pytest.mark.parametrize("rows", [10, 100_000])  # one thread; the search on another thread
def test_fold_quotes_folds_each_value_and_finds_the_segment_marker(rows):
    import pyarrow as pa

    from gongbao.rules.provenance import SEGMENT, fold, fold_quotes

    kinds = ["无空白", " 前后 ", "中\u3000间", "换\n行", "a\u00a0b", "tab\tend", "二  空"]
    kinds += ["甲[…]乙", "甲 [ … ] 乙", "甲 […]  乙", "[…", "…]"]
    values = [f"{kinds[i % len(kinds)]}{i}" for i in range(rows)]
    folded, joined = fold_quotes(pa.chunked_array([values[:3], values[3:]]))
    assert folded == [fold(v) for v in values]
    assert joined.tolist() == [SEGMENT in v for v in values]
    assert joined.sum() == sum(1 for i in range(rows) if i % len(kinds) in (7, 9))
