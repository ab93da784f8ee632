-- Analytics: when work on a step execution started (a claim), and imported event logs kept
-- whole, every event as it was in the log.

ALTER TABLE step_executions ADD COLUMN work_started_at TIMESTAMPTZ;

CREATE TABLE history_events (
    team_id UUID NOT NULL,
    process_instance_id UUID NOT NULL REFERENCES process_instances(id),
    seq BIGINT NOT NULL,
    activity TEXT NOT NULL,
    step_id TEXT NOT NULL,
    lifecycle TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    resource TEXT,
    attributes JSONB NOT NULL,
    PRIMARY KEY (process_instance_id, seq)
);
