-- Webhooks: endpoints a team registers for its events (the record as a JSON body, the signing
-- secret sealed with the master key), one delivery per event and endpoint, and each team's
-- fan-out cursor (the last event turned into deliveries).
CREATE TABLE webhooks (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL REFERENCES teams(id),
    body JSONB NOT NULL,
    secret BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhooks_team ON webhooks(team_id, id);

CREATE TABLE webhook_deliveries (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL,
    webhook_id UUID NOT NULL REFERENCES webhooks(id),
    event_seq BIGINT NOT NULL,
    body JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (webhook_id, event_seq)
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);

CREATE TABLE webhook_cursors (
    team_id UUID PRIMARY KEY REFERENCES teams(id),
    last_seq BIGINT NOT NULL
);
