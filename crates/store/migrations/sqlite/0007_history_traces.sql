-- Imported event logs kept one row per case, its events a JSON array in the log's order,
-- rather than one row per event: a log of a million events writes a tenth of the rows.

CREATE TABLE history_traces (
    process_instance_id BLOB PRIMARY KEY REFERENCES process_instances(id),
    team_id BLOB NOT NULL,
    events TEXT NOT NULL
);

INSERT INTO history_traces (process_instance_id, team_id, events)
SELECT process_instance_id, team_id,
    json_group_array(json_object('activity', activity, 'step_id', step_id, 'lifecycle', lifecycle,
        'timestamp', occurred_at, 'resource', resource, 'attributes', json(attributes)) ORDER BY seq)
FROM history_events
GROUP BY process_instance_id, team_id;

DROP TABLE history_events;
