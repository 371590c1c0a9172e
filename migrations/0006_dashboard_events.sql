-- Live dashboard events (issue 13): every change to a job or a dead letter is announced on the
-- channel `tributary_events` so that every backend instance can push it to its WebSocket clients,
-- whoever made the change (an API call on another instance, a worker, the scheduler). The payload
-- stays small (NOTIFY caps it at 8000 bytes): the table, the row id, its tenant and whether the
-- status changed; listeners re-read the row.
CREATE OR REPLACE FUNCTION tributary_notify_event() RETURNS trigger AS $$
BEGIN
  -- A heartbeat alone (or any write that changes nothing a person sees) is not news.
  IF TG_OP = 'UPDATE'
     AND (to_jsonb(NEW) - 'heartbeat_at' - 'updated_at') = (to_jsonb(OLD) - 'heartbeat_at' - 'updated_at') THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('tributary_events', json_build_object(
    'table', TG_TABLE_NAME,
    'id', NEW.id,
    'tenant_id', NEW.tenant_id,
    'status_changed', TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
  )::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER etl_jobs_notify_event AFTER INSERT OR UPDATE ON etl_jobs
  FOR EACH ROW EXECUTE FUNCTION tributary_notify_event();
--> statement-breakpoint
CREATE TRIGGER dead_letters_notify_event AFTER INSERT OR UPDATE ON dead_letters
  FOR EACH ROW EXECUTE FUNCTION tributary_notify_event();
