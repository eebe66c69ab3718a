"""The validator's rules: the catalogue, the report, and one module per rule family.

Families run in the catalogue's order (:data:`gongbao.rules.catalogue.FAMILIES`); see
:mod:`gongbao.validate` for the run.
"""
