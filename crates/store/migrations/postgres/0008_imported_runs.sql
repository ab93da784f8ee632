-- An imported case's step executions are read from its kept events (history_traces), as they
-- were when it was imported, rather than kept as rows of their own: a log of a million events
-- writes a sixth of the rows. The rows earlier imports wrote go; the runs read in their place
-- have new ids (an exception raised by hand on an imported case keeps the old one).

DELETE FROM step_executions
WHERE process_instance_id IN (SELECT process_instance_id FROM history_traces);

-- Kept as the service wrote it (JSON text), neither re-encoded (jsonb) nor checked again (json):
-- the events are read back whole, never queried inside.
ALTER TABLE history_traces ALTER COLUMN events TYPE TEXT USING events::text;

-- No foreign key from a trace to its instance: checking one locks the instance row for every
-- trace written, a third of an import's time, and an import writes its cases' instances last
-- (pinned to the commit known only then). Both are written by the import, in one transaction,
-- and instances are never deleted.
ALTER TABLE history_traces DROP CONSTRAINT history_traces_process_instance_id_fkey;
