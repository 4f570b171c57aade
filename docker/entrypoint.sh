#!/bin/sh
# Container start: bring the database schema up to date, then become the bot (or whatever command
# was given, e.g. `qib import /plans/plan.yaml`). A failed migration stops the container: a bot must
# never serve an old schema. Alembic serialises nothing across replicas, so compose.yaml starts the
# second replica only once the first is healthy.
set -eu

if [ "${QIB_MIGRATE_ON_START:-true}" = "true" ]; then
    qib db upgrade
fi
exec "$@"
