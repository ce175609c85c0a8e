-- gongkai schema, version 11: a report's cells in one row (the contract of 001 with analytics
-- is kept: cells and current_cells read as before, and cell_values is now a view of the same
-- columns).
--
-- Every report stores each of its ~200 keys. One row a cell made the store's one writer spend
-- most of its time appending rows (~200 a report) and DuckDB most of its commit compressing
-- report_id and key_id columns that repeat. A report's cells are now one row of report_cells:
-- lists in the order of its cell set (cell_sets: the key ids of a format, stored once).
-- src_text, the characters read, is nearly always the value written as an integer ("12"):
-- only the cells where it is not (a decimal, a number printed otherwise, no text) are listed,
-- by key id, in src_keys with their text in src_text.

CREATE TABLE IF NOT EXISTS cell_sets (
    id      INTEGER PRIMARY KEY,
    key_ids INTEGER[] NOT NULL        -- cell_keys.id, in the order of report_cells' lists
);

CREATE TABLE IF NOT EXISTS report_cells (
    report_id BIGINT NOT NULL,
    cell_set  INTEGER NOT NULL,       -- cell_sets.id
    value     DOUBLE[] NOT NULL,      -- by position in the set; NULL: unread (never 0)
    line      INTEGER[] NOT NULL,     -- line of the report's text each was read from; NULL: none
    flagged   INTEGER[] NOT NULL,     -- key ids a finding of the report names
    src_keys  INTEGER[] NOT NULL,     -- key ids whose src_text is not the value as an integer
    src_text  VARCHAR[] NOT NULL      -- their src_text, in src_keys' order (NULL: none)
);
-- (no index: see 001)

-- The cells stored a row each in cell_values are copied here, by the store, a range of
-- report ids at a time, each committed (convertCells in cells.go: a national database holds
-- 150 million rows, too many for one statement or one transaction on this machine). Until
-- the statements below drop cell_values, cells reads that table; a process stopped in
-- between goes on at the next Open after the last range copied.
-- gongkai:convert-cells

DROP VIEW IF EXISTS current_cells;
DROP VIEW IF EXISTS cells;
DROP TABLE cell_values;

-- One row a cell, as the table of 003 was.
CREATE VIEW cell_values AS
SELECT report_id, key_id, value, list_contains(flagged, key_id) AS flagged, line,
    CASE WHEN list_contains(src_keys, key_id) THEN src_text[list_position(src_keys, key_id)]
         WHEN value IS NOT NULL THEN CAST(TRY_CAST(value AS BIGINT) AS VARCHAR) END AS src_text
FROM (SELECT c.report_id, c.flagged, c.src_keys, c.src_text,
        unnest(s.key_ids) AS key_id, unnest(c.value) AS value, unnest(c.line) AS line
      FROM report_cells c JOIN cell_sets s ON s.id = c.cell_set);

CREATE VIEW cells AS
SELECT v.report_id, k.key, k.tbl, k.row_key, k.col, v.value, v.flagged, v.line, v.src_text
FROM cell_values v JOIN cell_keys k ON k.id = v.key_id;

CREATE OR REPLACE VIEW current_cells AS
SELECT c.*, r.agency_id, r.agency, r.level, r.year, r.format
FROM cells c JOIN current_reports r ON r.id = c.report_id;
