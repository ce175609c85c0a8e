-- gongkai schema, version 9: the text of a report stored once and compressed (additions only).
--
-- reports.text_z: the normalised text, zstd-compressed with the store's dictionary of the
-- format's wording (store.CompressText); reports.text is '' for such rows. NULL for rows
-- stored before this version, whose text stays in reports.text. Read both with
-- store.ReportText. (DuckDB stores strings of several KB uncompressed: the texts were two
-- thirds of a database.)
ALTER TABLE reports ADD COLUMN IF NOT EXISTS text_z BLOB;

-- report_prose: a section that is a part of the report's text is stored as its place in it
-- (byte offset start and length len) with text ''; NULL for rows holding their text.
ALTER TABLE report_prose ADD COLUMN IF NOT EXISTS start INTEGER;
ALTER TABLE report_prose ADD COLUMN IF NOT EXISTS len INTEGER;
