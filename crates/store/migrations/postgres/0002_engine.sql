-- Definitions versioned like code (snapshots, commits, branches) and the process engine
-- (instances, step executions, tasks, comments, exceptions, durable jobs).

CREATE TABLE snapshots (
    team_id UUID NOT NULL REFERENCES teams(id),
    hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    body JSONB NOT NULL,
    PRIMARY KEY (team_id, hash)
);

CREATE TABLE commits (
    team_id UUID NOT NULL REFERENCES teams(id),
    id TEXT NOT NULL,
    parents JSONB NOT NULL,
    author_id UUID,
    message TEXT NOT NULL,
    changes JSONB NOT NULL,
    tree JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, id)
);

CREATE TABLE definition_changes (
    team_id UUID NOT NULL,
    entity_id UUID NOT NULL,
    commit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    op TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, entity_id, commit_id)
);

CREATE TABLE branches (
    team_id UUID NOT NULL REFERENCES teams(id),
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    head TEXT,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active',
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, name)
);

CREATE TABLE process_instances (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL REFERENCES teams(id),
    playbook_id UUID NOT NULL,
    playbook_version TEXT NOT NULL,
    playbook_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    business_key TEXT,
    current_step_id TEXT,
    initiated_by UUID NOT NULL,
    variables JSONB NOT NULL,
    reason TEXT,
    start_time TIMESTAMPTZ,
    end_time TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX process_instances_team ON process_instances(team_id, id);
CREATE INDEX process_instances_playbook ON process_instances(team_id, playbook_id);
CREATE UNIQUE INDEX process_instances_live_key ON process_instances(team_id, playbook_id, business_key)
    WHERE business_key IS NOT NULL AND status IN ('not_started', 'running', 'paused');

CREATE TABLE step_executions (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL,
    process_instance_id UUID NOT NULL REFERENCES process_instances(id),
    step_id TEXT NOT NULL,
    iteration BIGINT NOT NULL,
    status TEXT NOT NULL,
    assigned_to UUID,
    input_data JSONB NOT NULL,
    output_data JSONB,
    reason TEXT,
    completed_by UUID,
    start_time TIMESTAMPTZ,
    end_time TIMESTAMPTZ,
    due_at TIMESTAMPTZ,
    callback_hash TEXT UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (process_instance_id, step_id, iteration)
);

CREATE TABLE tasks (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL REFERENCES teams(id),
    process_instance_id UUID,
    step_execution_id UUID,
    step_id TEXT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    type TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    assigned_to UUID,
    assigned_role UUID,
    assigned_by UUID,
    due_date TIMESTAMPTZ,
    tags JSONB NOT NULL,
    context JSONB NOT NULL,
    output JSONB,
    completed_by UUID,
    completed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tasks_team ON tasks(team_id, id);
CREATE INDEX tasks_execution ON tasks(step_execution_id);

CREATE TABLE task_comments (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL,
    task_id UUID NOT NULL REFERENCES tasks(id),
    author_id UUID NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX task_comments_task ON task_comments(task_id, id);

CREATE TABLE process_exceptions (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL,
    process_instance_id UUID NOT NULL REFERENCES process_instances(id),
    step_execution_id UUID,
    step_id TEXT,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    context JSONB NOT NULL,
    handled BOOLEAN NOT NULL,
    resolution_strategy TEXT,
    resolution JSONB,
    resolved_by UUID,
    resolved_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX process_exceptions_instance ON process_exceptions(process_instance_id, id);

-- Durable jobs: algorithm steps' work and timers. A job is claimed by a lease (locked_by,
-- locked_until); an expired lease makes it claimable again, so a job runs at least once.
CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL,
    process_instance_id UUID NOT NULL,
    step_execution_id UUID NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_due ON jobs(status, run_at);
CREATE INDEX jobs_execution ON jobs(step_execution_id);
