#!/bin/bash
# Runs once, when the primary's data directory is created (docker-entrypoint-initdb.d):
# lets the standby stream WAL with the same password-checked user.
set -euo pipefail
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
