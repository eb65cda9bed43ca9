#!/bin/bash
# The hot standby: cloned from the primary on first start (pg_basebackup -R writes the
# connection settings and standby.signal), then a read-only server replaying its WAL.
# After `pg_ctl promote` (RUNBOOK.md) the same data directory serves as the primary.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_basebackup -h db1 -U anbaa -D "$PGDATA" -R -X stream -c fast; do
        echo "waiting for the primary"; sleep 2
    done
    chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
