-- Every transform batch reads its raw rows back whole (raw_data, ~2-5 KB of JSON each), and
-- decompressing them was the largest single cost of the transform path: lz4 decompresses several
-- times faster than Postgres' default pglz and compresses faster at ingest, for a slightly larger
-- size. Rows already stored stay pglz until they are rewritten; both read the same.
-- The setting lives on each partition (on PostgreSQL 15, setting it on the partitioned table
-- reaches only partitions created later, so both are set).
DO $$
DECLARE
  part regclass;
BEGIN
  FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'public.raw_extraction_data'::regclass LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN raw_data SET COMPRESSION lz4', part);
  END LOOP;
  ALTER TABLE public.raw_extraction_data ALTER COLUMN raw_data SET COMPRESSION lz4;
END $$;
