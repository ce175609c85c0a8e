-- gongkai schema, version 7: additions only. What a cut or partial report lacks, where its
-- organ's name was read, and counts the prose gives as round figures.

-- Why a report is incomplete, in Chinese for a clerk (表三在第12行中断；未找到表四); NULL
-- when it is complete. reports.incomplete stays the flag.
ALTER TABLE reports ADD COLUMN IF NOT EXISTS incomplete_reason VARCHAR;

-- Where the organ's name was read (ingest.AgencyFrom*: title, html_title, compiler,
-- signature, meta, file_name, url); NULL for reports stored before version 7.
ALTER TABLE reports ADD COLUMN IF NOT EXISTS agency_source VARCHAR;

-- A count the prose states as a round figure (7700余条, 300多篇): the real count is at
-- least count. NULL in rows stored before version 7 (read as false).
ALTER TABLE publications ADD COLUMN IF NOT EXISTS approx BOOLEAN;
