-- The door and client an event came through when it was not plain REST (`MCP (client 1.0)`),
-- shown in the audit trail. Not part of the hash chain, like the other request facts.
ALTER TABLE events ADD COLUMN via TEXT;
