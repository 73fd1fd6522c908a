#!/bin/sh
# Gives grafana_reader (created by 02-grafana-reader.sql) its password from
# GRAFANA_DB_PASSWORD, which docker-compose.yml passes to both this container
# and Grafana's datasource. A shell script because SQL files cannot read the
# environment; psql's :'var' quoting keeps any character in the password safe.
#
# Runs once, on an empty data directory (docker-entrypoint-initdb.d). The
# entrypoint executes it when it is executable and sources it otherwise, so
# it neither calls `exit` nor changes shell options.

if [ -n "${GRAFANA_DB_PASSWORD:-}" ]; then
  psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" \
    --dbname "${POSTGRES_DB:-${POSTGRES_USER:-postgres}}" \
    -v reader_password="$GRAFANA_DB_PASSWORD" <<'SQL'
ALTER ROLE grafana_reader WITH PASSWORD :'reader_password';
SQL
else
  echo "03-grafana-reader-password.sh: GRAFANA_DB_PASSWORD is empty; grafana_reader has no password and cannot log in" >&2
fi
