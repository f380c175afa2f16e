-- Runs after grants.sql: drop free text nobody needs on a clone, and
-- record that this copy was masked.
UPDATE legacy.orders SET notes = NULL WHERE notes IS NOT NULL;

CREATE TABLE legacy.masking_audit (
  masked_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  note      text NOT NULL
);
INSERT INTO legacy.masking_audit (note) VALUES ('customers and payments masked by dbaf');
