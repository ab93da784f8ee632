-- Reports (definitions kept whole as JSON), their executions with the documents they wrote,
-- and dashboards.

CREATE TABLE reports (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX reports_team ON reports(team_id, id);

CREATE TABLE report_executions (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL,
    report_id BLOB NOT NULL REFERENCES reports(id),
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    output BLOB,
    created_at TEXT NOT NULL
);
CREATE INDEX report_executions_report ON report_executions(report_id, id);

CREATE TABLE dashboards (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX dashboards_team ON dashboards(team_id, id);
