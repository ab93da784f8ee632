-- Analytics: when work on a step execution started (a claim), and imported event logs kept
-- whole, every event as it was in the log.

ALTER TABLE step_executions ADD COLUMN work_started_at TEXT;

CREATE TABLE history_events (
    team_id BLOB NOT NULL,
    process_instance_id BLOB NOT NULL REFERENCES process_instances(id),
    seq BIGINT NOT NULL,
    activity TEXT NOT NULL,
    step_id TEXT NOT NULL,
    lifecycle TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    resource TEXT,
    attributes TEXT NOT NULL,
    PRIMARY KEY (process_instance_id, seq)
);
