-- gongkai schema, version 1. Keys equal the spec's keys (../shared/spec/report-format.md).
-- Applied by store.Open inside one transaction; schema_version records what has been applied.

CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- The organs. expected: listed in the configured registry (so a missing report is noticed).
CREATE SEQUENCE IF NOT EXISTS agency_id START 1;
CREATE TABLE IF NOT EXISTS agencies (
    id        INTEGER PRIMARY KEY DEFAULT nextval('agency_id'),
    name      VARCHAR NOT NULL UNIQUE,   -- canonical name
    level     VARCHAR NOT NULL,          -- township, department, county, city, unknown
    district  VARCHAR NOT NULL DEFAULT '',
    expected  BOOLEAN NOT NULL DEFAULT false,
    aliases   VARCHAR[] NOT NULL DEFAULT []
);

-- One row per ingested file version. For each (agency_id, year) exactly one row is current;
-- earlier versions (a corrected re-issue, 更正版) stay with current = false.
CREATE SEQUENCE IF NOT EXISTS report_id START 1;
CREATE TABLE IF NOT EXISTS reports (
    id                  BIGINT PRIMARY KEY DEFAULT nextval('report_id'),
    agency_id           INTEGER NOT NULL,
    agency_printed      VARCHAR NOT NULL,     -- the name as the report prints it
    year                INTEGER NOT NULL,     -- statistics year
    format              VARCHAR NOT NULL,     -- 2021 or 2019
    level               VARCHAR NOT NULL,
    published           DATE,                 -- publication date where the page states one
    source_path         VARCHAR NOT NULL,
    source_format       VARCHAR NOT NULL,     -- html, markdown, text (pdf, docx later)
    sha256              VARCHAR NOT NULL,     -- of the file's bytes
    text                VARCHAR NOT NULL,     -- normalised text; cells.line points into it
    parser_version      VARCHAR NOT NULL,
    ingested_at         TIMESTAMP NOT NULL DEFAULT current_timestamp,
    revision            INTEGER NOT NULL,     -- 1 for the first version of (agency, year)
    current             BOOLEAN NOT NULL,
    single_other        BOOLEAN NOT NULL,     -- （六） printed as one row (other_handled)
    incomplete          BOOLEAN NOT NULL,
    applications_stated BIGINT,               -- as the prose says; NULL: it says nothing
    applications_quote  VARCHAR
);
-- (no index: DuckDB scans with zone maps; an ART index on millions of cells slowed every commit)
-- (no index: DuckDB scans with zone maps; an ART index on millions of cells slowed every commit)

-- Every cell of every report, long form: key = tbl.row_key.col (table4.review.total);
-- for table 2 cells without a column (table2.licensing) col is ''. value NULL: unread.
CREATE TABLE IF NOT EXISTS cells (
    report_id BIGINT NOT NULL,
    key       VARCHAR NOT NULL,
    tbl       VARCHAR NOT NULL,   -- table2, table2_2019, table3, table4
    row_key   VARCHAR NOT NULL,   -- new_received, review, regulations, licensing ...
    col       VARCHAR NOT NULL,   -- natural_person ... total; maintained ... total; made ...; ''
    value     DOUBLE,
    flagged   BOOLEAN NOT NULL,   -- a finding names this cell
    line      INTEGER,            -- line of reports.text it was read from
    src_text  VARCHAR             -- the characters read
);
-- (no index: DuckDB scans with zone maps; an ART index on millions of cells slowed every commit)

CREATE TABLE IF NOT EXISTS publications (
    report_id BIGINT NOT NULL,
    channel   VARCHAR NOT NULL,   -- portal, wechat, weibo, short_video, notice_board, total, other
    count     BIGINT NOT NULL,
    quote     VARCHAR NOT NULL,
    line      INTEGER
);

CREATE TABLE IF NOT EXISTS findings (
    report_id BIGINT NOT NULL,
    rule      VARCHAR NOT NULL,
    severity  VARCHAR NOT NULL,
    cell      VARCHAR NOT NULL DEFAULT '',
    expected  DOUBLE,
    actual    DOUBLE,
    message   VARCHAR NOT NULL,
    line      INTEGER,
    related   VARCHAR NOT NULL DEFAULT ''
);
-- (no index: DuckDB scans with zone maps; an ART index on millions of cells slowed every commit)

-- The reports in force with their agency: what analytics reads.
CREATE OR REPLACE VIEW current_reports AS
SELECT r.*, a.name AS agency, a.district, a.expected
FROM reports r JOIN agencies a ON a.id = r.agency_id
WHERE r.current;

-- Cells of the reports in force, with agency, level and year: the base of every metric.
CREATE OR REPLACE VIEW current_cells AS
SELECT c.*, r.agency_id, r.agency, r.level, r.year, r.format
FROM cells c JOIN current_reports r ON r.id = c.report_id;
