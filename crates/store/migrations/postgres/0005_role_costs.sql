-- Analytics: what an hour of a business role's work costs.

ALTER TABLE roles ADD COLUMN hourly_cost DOUBLE PRECISION;
