-- Accounts, sign-in identities, tokens, organizations, teams, members, roles, secrets,
-- the event log with its per-chain hash heads, and idempotency keys.

CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('human', 'agent')),
    mfa_enabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE identities (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    secret_hash TEXT,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (provider, subject)
);
CREATE INDEX identities_user ON identities(user_id);

CREATE TABLE totp_factors (
    user_id BLOB PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret_enc BLOB NOT NULL,
    enabled INTEGER NOT NULL,
    last_step BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE refresh_tokens (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family_id BLOB NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);

CREATE TABLE organizations (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    domain TEXT,
    industry TEXT,
    size TEXT,
    compliance_requirements TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE organization_members (
    organization_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);

CREATE TABLE teams (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE personal_tokens (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    team_id BLOB REFERENCES teams(id),
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX personal_tokens_user ON personal_tokens(user_id);

CREATE TABLE team_members (
    team_id BLOB NOT NULL REFERENCES teams(id),
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    access_role TEXT NOT NULL CHECK (access_role IN ('owner', 'admin', 'editor', 'member', 'viewer')),
    roles TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

CREATE TABLE invitations (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams(id),
    email TEXT NOT NULL,
    access_role TEXT NOT NULL,
    roles TEXT NOT NULL,
    invited_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    UNIQUE (team_id, email)
);
CREATE INDEX invitations_email ON invitations(email);

CREATE TABLE roles (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    functions TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    hierarchy_level BIGINT NOT NULL,
    reports_to BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (team_id, name)
);

CREATE TABLE team_secrets (
    team_id BLOB NOT NULL REFERENCES teams(id),
    name TEXT NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (team_id, name)
);

-- One row per chain (a team, or a user's account): the lock that orders its events.
CREATE TABLE event_chains (
    scope_id BLOB PRIMARY KEY,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);

CREATE TABLE events (
    id BLOB PRIMARY KEY,
    scope_id BLOB NOT NULL,
    seq BIGINT NOT NULL,
    team_id BLOB,
    type TEXT NOT NULL,
    version INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    actor_id BLOB,
    actor_type TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id BLOB NOT NULL,
    data TEXT NOT NULL,
    request_id TEXT,
    ip_address TEXT,
    user_agent TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (scope_id, seq)
);
CREATE INDEX events_team ON events(team_id, seq);

CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    response BLOB,
    created_at TEXT NOT NULL,
    PRIMARY KEY (principal, key)
);
