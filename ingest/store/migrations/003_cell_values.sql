-- gongkai schema, version 3: the physical layout of cells, behind a view of the same name and
-- columns (the contract of 001 with analytics is kept: cells and current_cells read as before).
--
-- Every report stores each of its ~200 keys; writing the key and its three parts as four
-- strings per cell made string handling most of the cost of an ingest (appending, the WAL,
-- dictionary compression at checkpoints). Cells now store a small key id; cell_keys holds each
-- key and its parts once. The store adds a key to cell_keys, in the transaction of the report
-- that first uses it.

CREATE TABLE IF NOT EXISTS cell_keys (
    id      INTEGER PRIMARY KEY,
    key     VARCHAR NOT NULL UNIQUE,  -- tbl.row_key.col
    tbl     VARCHAR NOT NULL,
    row_key VARCHAR NOT NULL,
    col     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS cell_values (
    report_id BIGINT NOT NULL,
    key_id    INTEGER NOT NULL,   -- cell_keys.id
    value     DOUBLE,
    flagged   BOOLEAN NOT NULL,
    line      INTEGER,
    src_text  VARCHAR
);

INSERT INTO cell_keys (id, key, tbl, row_key, col)
SELECT row_number() OVER (ORDER BY key), key, any_value(tbl), any_value(row_key), any_value(col)
FROM cells GROUP BY key;

INSERT INTO cell_values (report_id, key_id, value, flagged, line, src_text)
SELECT c.report_id, k.id, c.value, c.flagged, c.line, c.src_text
FROM cells c JOIN cell_keys k ON k.key = c.key
ORDER BY c.report_id, k.id;

DROP VIEW IF EXISTS current_cells;
DROP TABLE cells;

CREATE VIEW cells AS
SELECT v.report_id, k.key, k.tbl, k.row_key, k.col, v.value, v.flagged, v.line, v.src_text
FROM cell_values v JOIN cell_keys k ON k.id = v.key_id;

CREATE OR REPLACE VIEW current_cells AS
SELECT c.*, r.agency_id, r.agency, r.level, r.year, r.format
FROM cells c JOIN current_reports r ON r.id = c.report_id;
