-- raw_data becomes `json`: the record's text as the source sent it (key order included), checked
-- on the way in but not rebuilt, and copied out on the way back. Every transform batch reads its
-- raw rows whole, and turning jsonb back into text was the largest Postgres cost of that read
-- (24 000 stored records read back: 0.82 s of backend CPU as jsonb, 0.32 s as json). Nothing
-- queries inside raw_data with jsonb operators or indexes it.
-- Rows stored before keep jsonb's normalised text (sorted keys, spaces after separators): the
-- same JSON value.
ALTER TABLE "raw_extraction_data" ALTER COLUMN "raw_data" SET DATA TYPE json;--> statement-breakpoint
-- Changing the type resets the column's compression: lz4 again (see 0012), on each partition and
-- on the partitioned table (for partitions created later).
-- And json text compresses better than jsonb: a 5 KB Jira issue becomes ~1.7 KB, under the 2 KB
-- at which Postgres moves a compressed value out of the row, so it would stay in the heap — a
-- heap 33 times larger, every claim's row version copying it, every scan reading it (the
-- transform benchmark lost a quarter of its rate). toast_tuple_target = 128 moves raw_data to
-- the TOAST table as jsonb's larger values were, and keeps heap rows small (0013).
DO $$
DECLARE
  part regclass;
BEGIN
  FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'public.raw_extraction_data'::regclass LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN raw_data SET COMPRESSION lz4', part);
    EXECUTE format('ALTER TABLE %s SET (toast_tuple_target = 128)', part);
  END LOOP;
  ALTER TABLE public.raw_extraction_data ALTER COLUMN raw_data SET COMPRESSION lz4;
END $$;
