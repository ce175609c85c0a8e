-- gongkai schema, version 10: how far Open's check for rows that point at no report has got.
--
-- Open deletes rows of cell_values, publications, findings, report_prose, report_metrics and
-- report_urls whose report does not exist (none are expected: a report is written whole in
-- one transaction). Scanning every row for that at every open cost 10 s and 260 MB of peak
-- RSS on a national database (150 million cell rows). Reports are never deleted and their ids
-- come from a sequence, so such a row could only be written after the last check, with an id
-- above the highest report id seen then: Open checks only ids above `upto` (DuckDB skips the
-- other row groups by their min/max) and then moves it to the highest report id.
CREATE TABLE IF NOT EXISTS orphans_checked (upto BIGINT NOT NULL);
