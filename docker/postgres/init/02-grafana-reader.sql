-- The role Grafana reads with: SELECT only, read-only transactions, a
-- statement timeout, so a heavy dashboard query cannot write, lock or run
-- away. It covers the tables and views the schema file created and, through
-- default privileges, every table or view the exporter's migrations add later
-- (they run as this database's owner, the role executing this file).
--
-- Runs once, on an empty data directory, after 01-agentspan-schema.sql. The
-- password is set by 03-grafana-reader-password.sh from GRAFANA_DB_PASSWORD.
-- Written against current_schema() and current_database(), so the same file
-- works in any schema (the tests apply it to a schema of their own).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
    CREATE ROLE grafana_reader LOGIN;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO grafana_reader', current_database());
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO grafana_reader', current_schema());
  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO grafana_reader', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO grafana_reader', current_schema());
END
$$;

ALTER ROLE grafana_reader SET default_transaction_read_only = on;
ALTER ROLE grafana_reader SET statement_timeout = '30s';
