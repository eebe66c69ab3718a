-- title: What changed since the previous release
-- description: Every row added or removed and every cell changed since the release named in the first column, by table. Built when the release is made, by comparing with the previous release's zip; an empty result with no baseline means this build was not compared with one (see the _changes table's description).
select previous_version, table_name, row_key, change, column_name, previous_value, value
from _changes
order by rowid
