"""Full-text search that works for Chinese with Datasette's own search box, and no plugin.

SQLite's FTS5 ``unicode61`` tokenizer splits text at spaces and punctuation, so a run of Han
characters (大气污染联防联控) is one token, and a query for 大气 finds nothing; the ``trigram``
tokenizer finds only queries of three or more characters. A custom tokenizer or jieba
segmentation would have to run on the query side too, which is Datasette's: it passes what
the reader types, quoted as a phrase (``escape_fts``), to FTS5, which tokenizes it with the
column's tokenizer. Typed without spaces, a Chinese query is therefore one token.

So the index, not the query, does the work: each searchable text is indexed with every run
of Han characters replaced by all of its substrings of 1 to :data:`MAX_GRAM` characters,
space-separated (大气污染 -> 大 气 污 染 大气 气污 污染 大气污 气污染 大气污染), under ``porter
unicode61`` (case, accents and English word endings ignored: ``agreements`` finds
"Agreement"). Any query of up to MAX_GRAM Han characters inside one run, and any English
word, is then a token of the index. A longer Chinese query must be split with a space (each
part must match). The index is contentless (``content=''``): Datasette shows the rows of the
table itself, so the expanded text is never stored twice. The index grows linearly with the
text, at most MAX_GRAM tokens per Han character (about eight on the first release's data,
whose runs between punctuation are short): the database is some hundreds of kilobytes larger.
"""

from __future__ import annotations

import re
import sqlite3

from ..tableschema.package import Field, Resource

MAX_GRAM = 20  # the longest Chinese query that matches without a space
TOKENIZER = "porter unicode61 remove_diacritics 2"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


def fts_table(table: str) -> str:
    """The FTS5 table indexing a table (sqlite-utils' convention, which Datasette knows)."""
    return f"{table}_fts"


def is_searchable(field: Field, resource: Resource) -> bool:
    """Free text: titles, names, quotes, notes. Not codes, ids, vocabularies, dates, URLs."""
    keys = set(resource.primary_key)
    for fk in resource.foreign_keys:
        keys.update(fk.fields)
    return (
        field.type == "string"
        and field.format == "default"
        and field.pattern is None
        and not field.vocabulary
        and field.name not in keys
    )


def searchable_fields(resource: Resource) -> list[str]:
    return [f.name for f in resource.fields if is_searchable(f, resource)]


def grams(run: str) -> list[str]:
    """Every substring of a run of Han characters, 1 to MAX_GRAM characters long."""
    return [
        run[start : start + size]
        for size in range(1, min(len(run), MAX_GRAM) + 1)
        for start in range(len(run) - size + 1)
    ]


def index_text(text: str) -> str:
    """The text as indexed: each Han run replaced by its n-grams, everything else as it is."""
    return _HAN.sub(lambda run: " " + " ".join(grams(run.group())) + " ", text)


def build_index(connection: sqlite3.Connection, resource: Resource) -> str | None:
    """Create and fill the FTS5 table of a table (rowids match the table's); its name, or
    None when the table has no free text."""
    fields = searchable_fields(resource)
    if not fields:
        return None
    name = fts_table(resource.name)
    columns = ", ".join(_quote(f) for f in fields)
    connection.execute(
        f"CREATE VIRTUAL TABLE {_quote(name)} USING fts5({columns}, content='', "
        f"tokenize='{TOKENIZER}')"
    )
    rows = connection.execute(f"SELECT rowid, {columns} FROM {_quote(resource.name)}")
    connection.executemany(
        f"INSERT INTO {_quote(name)} (rowid, {columns}) VALUES "
        f"({', '.join('?' for _ in range(len(fields) + 1))})",
        [(row[0], *(index_text(v) if isinstance(v, str) else v for v in row[1:])) for row in rows],
    )
    return name


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
