"""The validator's rule families, one module each, with the renderers of a report and the
runner of the catalogue's examples.

Families run in the catalogue's order (:data:`gongbao.problems.catalogue.FAMILIES`); see
:mod:`gongbao.validate` for the run.
"""
