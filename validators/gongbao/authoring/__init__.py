"""Contributor tools: canonical formatting (``gongbao fmt``, :mod:`.fmt`) and new rows
(``gongbao new``, :mod:`.new`, with its id conventions in :mod:`.ids`, the cells it derives
in :mod:`.derive` and the check of the row by the validator's own rules in :mod:`.candidate`).
"""
