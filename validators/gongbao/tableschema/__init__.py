"""Table Schema and Data Package, as gongbao reads them: the package model, the type
registry and CSV input/output. Every command reads the package through here."""
