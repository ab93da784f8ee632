-- Reports (definitions kept whole as JSON), their executions with the documents they wrote,
-- and dashboards.

CREATE TABLE reports (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL REFERENCES teams(id),
    body JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_team ON reports(team_id, id);

CREATE TABLE report_executions (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL,
    report_id UUID NOT NULL REFERENCES reports(id),
    status TEXT NOT NULL,
    body JSONB NOT NULL,
    output BYTEA,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_executions_report ON report_executions(report_id, id);

CREATE TABLE dashboards (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL REFERENCES teams(id),
    body JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX dashboards_team ON dashboards(team_id, id);
