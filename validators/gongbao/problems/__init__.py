"""What can be wrong with a package: the rule catalogue (every rule, its family, its hint and
its example, declared once) and the report a run collects problems in. Every layer above
reports through here: the package and CSV readers (families 6 and 1) and the rule families in
:mod:`gongbao.rules`."""
