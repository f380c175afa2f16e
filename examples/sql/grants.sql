-- Runs on every clone after masking, as the clone's master user.
-- A read-only role for analysts, who see the masked data only.
CREATE ROLE analyst NOLOGIN;
GRANT USAGE ON SCHEMA legacy TO analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA legacy TO analyst;
