-- gongkai schema, version 2: additions only (001 is the contract with analytics and is kept).

-- The prose sections of each report (1: 总体情况, 5: 问题及改进, 6: 其他), kept so that the
-- cross-year rule S-copied-prose can compare a report with last year's without re-parsing.
CREATE TABLE IF NOT EXISTS report_prose (
    report_id BIGINT NOT NULL,
    section   INTEGER NOT NULL,
    text      VARCHAR NOT NULL
);
-- (no index: see 001)

-- Reports in force that lack cells or have more than one current version of (agency, year):
-- empty in a healthy database (store.Verify checks the cell counts per format as well).
CREATE OR REPLACE VIEW duplicate_current AS
SELECT agency_id, year, count(*)::BIGINT AS n
FROM reports WHERE current
GROUP BY agency_id, year HAVING count(*) > 1;
