"""Great Expectations suites (rule family 7): what should hold as the dataset grows.

The other families say whether each row is right. These suites say whether the *table* still
looks like this dataset: the column set, row-count bounds, and distributions (most
instruments carry a date, many parties are named by their source, indicators mostly carry
numbers). Nothing here repeats a Table Schema rule. Great Expectations is slow to import, so
this runs only with ``--expectations`` or ``--data-docs`` (and always in ``nox -s validate``);
``--data-docs`` also writes the HTML report a reviewer can open in a browser.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..problems.catalogue import implements
from ..problems.report import Report
from ..tableschema.csvio import Table

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# Row-count bounds: vocabularies stay small; GB/T 2260 has about 3,200 divisions; a table
# that records what only some sources report (earlier statuses) may be empty.
ROW_BOUNDS: dict[str, tuple[int, int | None]] = {
    "mechanism_types": (10, 200),
    "metrics": (1, 500),
    "jurisdictions": (2, 4000),
    "agreement_events": (0, None),
}


@dataclass
class Expect:
    """One expectation, by Great Expectations class name and keyword arguments."""

    kind: str
    kwargs: dict[str, Any] = field(default_factory=dict)


# Distributions that hold for the dataset and should keep holding as it grows. The shares are
# set below today's (1.0.0: 39% of instruments dated, 56% of parties stated, 44% of indicators
# numeric), so that a release that drifts far from them is looked at, not refused by accident.
DISTRIBUTIONS: dict[str, list[Expect]] = {
    "agreements": [
        Expect("ExpectColumnValuesToNotBeNull", {"column": "date", "mostly": 0.2}),
        Expect("ExpectColumnUniqueValueCountToBeBetween", {"column": "region_id", "min_value": 1}),
    ],
    "parties": [
        Expect(
            "ExpectColumnValuesToBeInSet",
            {"column": "attribution", "value_set": ["stated"], "mostly": 0.2},
        ),
    ],
    "commitments": [
        Expect("ExpectColumnUniqueValueCountToBeBetween", {"column": "mechanism", "min_value": 5}),
    ],
    "indicators": [
        Expect("ExpectColumnValuesToNotBeNull", {"column": "value", "mostly": 0.3}),
        Expect(
            "ExpectColumnValuesToBeBetween",
            {"column": "year", "min_value": 2000, "max_value": 2100, "mostly": 0.95},
        ),
    ],
    "jurisdictions": [
        Expect(
            "ExpectColumnDistinctValuesToContainSet",
            {"column": "level", "value_set": ["national", "province"]},
        ),
    ],
}


def suite_for(table: Table) -> list[Expect]:
    low, high = ROW_BOUNDS.get(table.name, (1, None))
    return [
        Expect("ExpectTableColumnsToMatchOrderedList", {"column_list": table.resource.field_names}),
        Expect("ExpectTableRowCountToBeBetween", {"min_value": low, "max_value": high}),
        *DISTRIBUTIONS.get(table.name, []),
    ]


def _describe(result: Any) -> str:
    config = result.expectation_config
    args = ", ".join(
        f"{k}={v!r}"
        for k, v in config.kwargs.items()
        if k not in ("batch_id", "column_list", "value_set")
    )
    observed = result.result.get("observed_value", result.result.get("unexpected_percent"))
    return f"{config.type}({args}) failed; observed {observed!r}"


@implements("expectation")
def check_expectations(
    tables: dict[str, Table],
    frames: dict[str, pd.DataFrame],
    report: Report,
    data_docs: Path | None = None,
) -> None:
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.checkpoint import UpdateDataDocsAction  # type: ignore[attr-defined]
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # keep stderr readable
    actions: list[Any] = []
    if data_docs is not None:
        data_docs.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(
            site_name="gongbao",
            site_config={
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs.resolve()),
                },
            },
        )
        actions.append(UpdateDataDocsAction(name="data_docs", site_names=["gongbao"]))
    source = context.data_sources.add_pandas("gongbao")
    for name, table in tables.items():
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for expect in suite_for(table):
            suite.add_expectation(getattr(gxe, expect.kind)(**expect.kwargs))
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(name=name, validation_definitions=[definition], actions=actions)
        )
        outcome = checkpoint.run(batch_parameters={"dataframe": frames[name]})
        for run in outcome.run_results.values():
            for result in run.results:
                if not result.success:
                    report.error(
                        "expectation",
                        _describe(result),
                        path=table.path,
                        field=(
                            result.expectation_config.kwargs if result.expectation_config else {}
                        ).get("column"),
                    )
