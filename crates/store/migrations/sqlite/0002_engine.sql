-- Definitions versioned like code (snapshots, commits, branches) and the process engine
-- (instances, step executions, tasks, comments, exceptions, durable jobs).

CREATE TABLE snapshots (
    team_id BLOB NOT NULL REFERENCES teams(id),
    hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (team_id, hash)
);

CREATE TABLE commits (
    team_id BLOB NOT NULL REFERENCES teams(id),
    id TEXT NOT NULL,
    parents TEXT NOT NULL,
    author_id BLOB,
    message TEXT NOT NULL,
    changes TEXT NOT NULL,
    tree TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (team_id, id)
);

CREATE TABLE definition_changes (
    team_id BLOB NOT NULL,
    entity_id BLOB NOT NULL,
    commit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    op TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (team_id, entity_id, commit_id)
);

CREATE TABLE branches (
    team_id BLOB NOT NULL REFERENCES teams(id),
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    head TEXT,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active',
    created_by BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (team_id, name)
);

CREATE TABLE process_instances (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams(id),
    playbook_id BLOB NOT NULL,
    playbook_version TEXT NOT NULL,
    playbook_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    business_key TEXT,
    current_step_id TEXT,
    initiated_by BLOB NOT NULL,
    variables TEXT NOT NULL,
    reason TEXT,
    start_time TEXT,
    end_time TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX process_instances_team ON process_instances(team_id, id);
CREATE INDEX process_instances_playbook ON process_instances(team_id, playbook_id);
CREATE UNIQUE INDEX process_instances_live_key ON process_instances(team_id, playbook_id, business_key)
    WHERE business_key IS NOT NULL AND status IN ('not_started', 'running', 'paused');

CREATE TABLE step_executions (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL,
    process_instance_id BLOB NOT NULL REFERENCES process_instances(id),
    step_id TEXT NOT NULL,
    iteration BIGINT NOT NULL,
    status TEXT NOT NULL,
    assigned_to BLOB,
    input_data TEXT NOT NULL,
    output_data TEXT,
    reason TEXT,
    completed_by BLOB,
    start_time TEXT,
    end_time TEXT,
    due_at TEXT,
    callback_hash TEXT UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (process_instance_id, step_id, iteration)
);

CREATE TABLE tasks (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams(id),
    process_instance_id BLOB,
    step_execution_id BLOB,
    step_id TEXT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    type TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    assigned_to BLOB,
    assigned_role BLOB,
    assigned_by BLOB,
    due_date TEXT,
    tags TEXT NOT NULL,
    context TEXT NOT NULL,
    output TEXT,
    completed_by BLOB,
    completed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX tasks_team ON tasks(team_id, id);
CREATE INDEX tasks_execution ON tasks(step_execution_id);

CREATE TABLE task_comments (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL,
    task_id BLOB NOT NULL REFERENCES tasks(id),
    author_id BLOB NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX task_comments_task ON task_comments(task_id, id);

CREATE TABLE process_exceptions (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL,
    process_instance_id BLOB NOT NULL REFERENCES process_instances(id),
    step_execution_id BLOB,
    step_id TEXT,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    context TEXT NOT NULL,
    handled INTEGER NOT NULL,
    resolution_strategy TEXT,
    resolution TEXT,
    resolved_by BLOB,
    resolved_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX process_exceptions_instance ON process_exceptions(process_instance_id, id);

-- Durable jobs: algorithm steps' work and timers. A job is claimed by a lease (locked_by,
-- locked_until); an expired lease makes it claimable again, so a job runs at least once.
CREATE TABLE jobs (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL,
    process_instance_id BLOB NOT NULL,
    step_execution_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    run_at TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    locked_by TEXT,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs(status, run_at);
CREATE INDEX jobs_execution ON jobs(step_execution_id);
