-- raw_extraction_data becomes a table partitioned by HASH (tenant_id), 8 partitions.
-- Why hash by tenant, not range by time: the dedupe key (tenant, integration,
-- entity type, external id, content hash) must hold across all of a tenant's rows
-- and a partitioned table's unique index must contain the partition key — by time,
-- the same content fetched in two months would be stored twice; and retention
-- keeps the latest version of each entity however old it is, so whole time
-- partitions could never be dropped anyway. Every statement on the table names
-- the tenant, so each touches one partition, and each partition is vacuumed and
-- pruned on its own (about an eighth of the rows).
--
-- Written generically, because other branches' migrations (applied before this
-- one) may add columns, indexes, foreign keys or triggers: the new table is
-- created LIKE the old one; indexes, outgoing and incoming foreign keys,
-- triggers, storage options and the id sequence are carried over from the
-- catalog. Incoming foreign keys (raw_outbox.raw_id) become (tenant_id, raw_id),
-- since the primary key is now (tenant_id, id). Idempotent: does nothing when
-- the table is already partitioned.
DO $$
DECLARE
  old_table constant regclass := 'public.raw_extraction_data'::regclass;
  index_defs text[];
  outgoing_fks text[];
  incoming_fks text[] := '{}';
  trigger_defs text[];
  storage_options text[];
  incoming record;
  id_attnum smallint;
  on_delete text;
  seq text;
  def text;
BEGIN
  IF (SELECT relkind FROM pg_class WHERE oid = old_table) = 'p' THEN
    RETURN;
  END IF;

  SELECT coalesce(array_agg(pg_get_indexdef(indexrelid)), '{}') INTO index_defs
  FROM pg_index WHERE indrelid = old_table AND NOT indisprimary;
  SELECT coalesce(array_agg(format('ALTER TABLE public.raw_extraction_data ADD CONSTRAINT %I %s', conname, pg_get_constraintdef(oid))), '{}')
  INTO outgoing_fks
  FROM pg_constraint WHERE conrelid = old_table AND contype = 'f';
  SELECT coalesce(array_agg(pg_get_triggerdef(oid)), '{}') INTO trigger_defs
  FROM pg_trigger WHERE tgrelid = old_table AND NOT tgisinternal;
  SELECT reloptions INTO storage_options FROM pg_class WHERE oid = old_table;
  SELECT attnum INTO id_attnum FROM pg_attribute WHERE attrelid = old_table AND attname = 'id';

  FOR incoming IN
    SELECT c.conname, c.conrelid::regclass AS referencing, c.conkey, c.confkey, c.confdeltype, a.attname AS col
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.confrelid = old_table AND c.contype = 'f'
  LOOP
    IF array_length(incoming.conkey, 1) <> 1 OR incoming.confkey[1] <> id_attnum THEN
      RAISE EXCEPTION 'foreign key % on % must reference raw_extraction_data(id) alone to be converted', incoming.conname, incoming.referencing;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = incoming.referencing AND attname = 'tenant_id' AND NOT attisdropped) THEN
      RAISE EXCEPTION 'table % references raw_extraction_data but has no tenant_id column', incoming.referencing;
    END IF;
    on_delete := CASE incoming.confdeltype
      WHEN 'c' THEN 'CASCADE'
      WHEN 'r' THEN 'RESTRICT'
      WHEN 'n' THEN format('SET NULL (%I)', incoming.col)
      WHEN 'd' THEN format('SET DEFAULT (%I)', incoming.col)
      ELSE 'NO ACTION'
    END;
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', incoming.referencing, incoming.conname);
    incoming_fks := incoming_fks || format(
      'ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (tenant_id, %I) REFERENCES public.raw_extraction_data (tenant_id, id) ON DELETE %s',
      incoming.referencing, incoming.conname, incoming.col, on_delete);
  END LOOP;

  ALTER TABLE public.raw_extraction_data RENAME TO raw_extraction_data_unpartitioned;
  CREATE TABLE public.raw_extraction_data (
    LIKE public.raw_extraction_data_unpartitioned
    INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS
  ) PARTITION BY HASH (tenant_id);
  FOR i IN 0..7 LOOP
    -- Storage options (fillfactor = 80 for HOT status updates) live on the partitions.
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.raw_extraction_data FOR VALUES WITH (MODULUS 8, REMAINDER %s)%s',
      'raw_extraction_data_p' || i, i,
      CASE WHEN storage_options IS NULL THEN '' ELSE ' WITH (' || array_to_string(storage_options, ', ') || ')' END);
  END LOOP;
  INSERT INTO public.raw_extraction_data SELECT * FROM public.raw_extraction_data_unpartitioned;
  -- The id sequence would be dropped with the old table it belongs to.
  seq := pg_get_serial_sequence('public.raw_extraction_data_unpartitioned', 'id');
  IF seq IS NOT NULL THEN
    EXECUTE format('ALTER SEQUENCE %s OWNED BY public.raw_extraction_data.id', seq);
  END IF;
  DROP TABLE public.raw_extraction_data_unpartitioned;

  ALTER TABLE public.raw_extraction_data ADD CONSTRAINT raw_extraction_data_pkey PRIMARY KEY (tenant_id, id);
  -- Lookups by id alone (status updates of a batch, cascades) probe this instead of scanning every partition.
  CREATE INDEX raw_extraction_data_id_idx ON public.raw_extraction_data USING btree (id);
  FOREACH def IN ARRAY index_defs LOOP EXECUTE def; END LOOP;
  -- Postgres cannot add a NOT VALID foreign key to a partitioned table, so outgoing keys are
  -- validated now. The job-scope key of 0007 was NOT VALID for rows stored before it: a raw row
  -- whose job belongs to another tenant or integration could only come from the service-token
  -- hole 0007 closed, so its job link is dropped rather than trusted.
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'public.raw_extraction_data'::regclass AND attname = 'job_id' AND NOT attisdropped) THEN
    UPDATE public.raw_extraction_data r SET job_id = NULL
    WHERE r.job_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM public.etl_jobs j WHERE j.id = r.job_id AND j.tenant_id = r.tenant_id AND j.integration_id = r.integration_id);
  END IF;
  FOREACH def IN ARRAY outgoing_fks LOOP EXECUTE replace(def, ' NOT VALID', ''); END LOOP;
  FOREACH def IN ARRAY incoming_fks LOOP EXECUTE def; END LOOP;
  FOREACH def IN ARRAY trigger_defs LOOP EXECUTE def; END LOOP;
END $$;--> statement-breakpoint
ANALYZE "raw_extraction_data";
