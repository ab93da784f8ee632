-- Webhooks: endpoints a team registers for its events (the record as a JSON body, the signing
-- secret sealed with the master key), one delivery per event and endpoint, and each team's
-- fan-out cursor (the last event turned into deliveries).
CREATE TABLE webhooks (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams(id),
    body TEXT NOT NULL,
    secret BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX webhooks_team ON webhooks(team_id, id);

CREATE TABLE webhook_deliveries (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL,
    webhook_id BLOB NOT NULL REFERENCES webhooks(id),
    event_seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (webhook_id, event_seq)
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);

CREATE TABLE webhook_cursors (
    team_id BLOB PRIMARY KEY REFERENCES teams(id),
    last_seq INTEGER NOT NULL
);
