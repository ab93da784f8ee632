-- Git-like collaboration: where a branch was taken from, where an instance was started from,
-- merge drafts, change proposals (with their reviews and discussion) and branch protection.

ALTER TABLE branches ADD COLUMN base_branch TEXT;
ALTER TABLE process_instances ADD COLUMN started_from TEXT NOT NULL DEFAULT 'main';

CREATE TABLE merge_drafts (
    team_id BLOB NOT NULL REFERENCES teams(id),
    id BLOB NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (team_id, id)
);

CREATE TABLE change_proposals (
    team_id BLOB NOT NULL REFERENCES teams(id),
    id BLOB NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (team_id, id)
);
CREATE INDEX change_proposals_by_status ON change_proposals (team_id, status, id);

CREATE TABLE branch_protections (
    team_id BLOB NOT NULL REFERENCES teams(id),
    branch TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (team_id, branch)
);
