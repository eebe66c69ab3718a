"""What the validator's rules and the authoring tools both know about the model's values,
without the engines: partial dates and their periods, and when two names name one body.

Kept apart from :mod:`gongbao.rules` (which needs pandas and pandera) so that ``gongbao new``
fills and refuses cells by the same reading the rules use, and starts fast.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

UNKNOWN_YEAR = "XXXX"  # XXXX-MM-DD: a month and day whose year the source does not give


def period(value: str | None) -> tuple[dt.date, dt.date] | None:
    """First and last day of a YYYY, YYYY-MM or YYYY-MM-DD date; None for XXXX-MM-DD, an
    empty or a non-existent date (2021-02-30)."""
    if not value or value.startswith(UNKNOWN_YEAR):
        return None
    try:
        year = int(value[:4])
        if len(value) == 4:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        month = int(value[5:7])
        if len(value) == 7:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
        day = dt.date(year, month, int(value[8:10]))
    except ValueError:
        return None
    return day, day


def exists(value: str | None) -> bool:
    """A partial date that names real days (XXXX-02-30 does not; XXXX-02-29 does)."""
    if not value:
        return True
    if value.startswith(UNKNOWN_YEAR):
        return period("2000" + value[4:]) is not None  # 2000 is a leap year
    return period(value) is not None


def month_day_latest(value: str, before: dt.date) -> dt.date | None:
    """The last day XXXX-MM-DD names on or before the given day."""
    month, day = int(value[5:7]), int(value[8:10])
    for year in range(before.year, before.year - 8, -1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue  # 29 February of a common year
        if candidate <= before:
            return candidate
    return None


_LEADING_PARTY = re.compile(r"^(中国共产党|中共)")


def normalise_name(name: str) -> str:
    """The form two names of one body share (rule duplicate-organization): NFC, no
    whitespace, no leading 中国共产党 or 中共, 人大常委会 for 人民代表大会常务委员会 and 政府
    for 人民政府."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFC", name))
    text = _LEADING_PARTY.sub("", text)
    return text.replace("人民代表大会常务委员会", "人大常委会").replace("人民政府", "政府")
