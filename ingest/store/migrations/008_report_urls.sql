-- gongkai schema, version 8: where a report read from a portal came from (additions only).
--
-- One row per report fetched over HTTP (gongkai ingest URL…, --registry-sources, the upload
-- page's URL field): the page it was found at and, when the report is a PDF/DOCX attachment of
-- that page, the attachment's URL; when it was fetched; and the validators the server gave, so
-- that the next run can ask "changed since?" (If-None-Match / If-Modified-Since). For a report
-- read from a web page, reports.sha256 is the digest of the page's normalised text (site chrome
-- such as visit counters changes the bytes of an unchanged report); for an attachment, of its
-- bytes.
CREATE TABLE IF NOT EXISTS report_urls (
    report_id      BIGINT NOT NULL,
    page_url       VARCHAR NOT NULL,            -- the report page, or the file itself when linked directly
    attachment_url VARCHAR NOT NULL DEFAULT '', -- the PDF/DOCX read; '' when the page holds the tables
    fetched_at     TIMESTAMP NOT NULL,
    etag           VARCHAR NOT NULL DEFAULT '', -- of the response read (the attachment's, when there is one)
    last_modified  VARCHAR NOT NULL DEFAULT ''
);
-- (no index: see 001)
