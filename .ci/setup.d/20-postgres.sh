#!/usr/bin/env bash
# A real PostgreSQL server on loopback for the trace-registry tests (tests/traces).
#
# Installs Debian's `postgresql` when it is missing, makes sure the cluster "main" listens on
# 127.0.0.1:5432 only, starts it, and creates the role `oclab` (password `oclab_test`) owning the
# database `oclab_traces_test`. Exports nothing: the tests read OCLAB_TEST_POSTGRES_URL if set,
# else try the fixed URL postgresql+psycopg://oclab:oclab_test@127.0.0.1:5432/oclab_traces_test,
# and skip the PostgreSQL variant (saying why) only when no server answers there.
# Idempotent: running it again on a started server changes nothing.
set -euo pipefail
PORT=5432
ROLE=oclab
PASSWORD=oclab_test
DATABASE=oclab_traces_test

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
  echo "20-postgres: installing postgresql (Debian package)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)

if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION main"; then
  as_root pg_createcluster "$VERSION" main --port "$PORT"
fi
# Loopback only, through the include directory Debian's postgresql.conf reads last.
CONF_D=/etc/postgresql/$VERSION/main/conf.d
as_root mkdir -p "$CONF_D"
echo "listen_addresses = '127.0.0.1'" | as_root tee "$CONF_D/oclab-loopback.conf" >/dev/null
CLUSTER_PORT=$(pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $3}')
if [ "$CLUSTER_PORT" != "$PORT" ]; then
  echo "20-postgres: cluster $VERSION/main uses port $CLUSTER_PORT; the tests expect $PORT" >&2
  exit 1
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $4}' | grep -qx online; then
  as_root pg_ctlcluster "$VERSION" main start
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p "$PORT"

sql() { as_postgres psql -p "$PORT" -X -q -v ON_ERROR_STOP=1 -tA -c "$1"; }
if [ -z "$(sql "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" ]; then
  sql "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
fi
if [ -z "$(sql "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" ]; then
  sql "CREATE DATABASE $DATABASE OWNER $ROLE"
fi
echo "20-postgres: PostgreSQL $VERSION on 127.0.0.1:$PORT, database $DATABASE (role $ROLE)"
