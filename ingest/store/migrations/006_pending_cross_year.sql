-- gongkai schema, version 6: cross-year work not yet done.
--
-- The cross-year rules (X-*, S-copied-prose) compare a report with the organ's report of the
-- year before, so they run after the reports are stored. A row here says "the findings of
-- (agency, year) and of (agency, year + 1) must be recomputed"; it is written in the same
-- transaction as the report that makes it necessary and deleted once the findings are
-- replaced. A process killed in between leaves the row, and the next ingest or the next
-- serve finishes the work: no finding is lost for good.
CREATE SEQUENCE IF NOT EXISTS pending_cross_year_seq START 1;
CREATE TABLE IF NOT EXISTS pending_cross_year (
    seq       BIGINT PRIMARY KEY DEFAULT nextval('pending_cross_year_seq'),
    agency_id INTEGER NOT NULL,
    year      INTEGER NOT NULL
);
-- Databases stored before this version get their cross-year findings recomputed once.
INSERT INTO pending_cross_year (agency_id, year)
SELECT DISTINCT agency_id, year FROM reports WHERE current;
