#!/bin/sh
# Entrypoint of stack-back-test/postgres: enough of the official postgres image for our tests.
#   POSTGRES_USER (default postgres), POSTGRES_PASSWORD, POSTGRES_DB (default $POSTGRES_USER),
#   each also as <NAME>_FILE; POSTGRES_HOST_AUTH_METHOD (default scram-sha-256);
#   PGDATA (default /var/lib/postgresql/data): initdb on first start, then *.sql / *.sh from
#   /docker-entrypoint-initdb.d. Like the official image, local (socket) connections are trusted
#   and TCP connections need the password; the server listens on the socket and localhost.
#   Unlike it, the temporary server of the initialisation uses its own socket directory, so
#   `pg_isready` answers only once the real server runs.
# SIGTERM/SIGINT make a fast shutdown (postgres treats SIGTERM as "smart": it would wait for
# every client), so `docker stop` returns in about a second.
set -eu

# file_env VAR [default]: VAR from VAR or from the file named by VAR_FILE.
file_env() {
  _var=$1
  _def=${2:-}
  eval "_val=\${$_var:-}"
  eval "_file=\${${_var}_FILE:-}"
  if [ -n "$_val" ] && [ -n "$_file" ]; then
    echo "error: both $_var and ${_var}_FILE are set" >&2
    exit 1
  fi
  if [ -n "$_file" ]; then
    _val=$(cat "$_file")
  fi
  export "$_var=${_val:-$_def}"
  unset "${_var}_FILE"
}

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "${1:-postgres}" != postgres ]; then
  exec "$@"
fi
# PID 1 ignores signals it has no handler for: a stop during initialisation must work too
trap 'exit 143' TERM INT

file_env POSTGRES_USER postgres
file_env POSTGRES_PASSWORD
file_env POSTGRES_DB "$POSTGRES_USER"
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    echo "error: POSTGRES_PASSWORD is not set (or POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust \
    --auth-host="$POSTGRES_HOST_AUTH_METHOD" --encoding=UTF8 --locale=C.UTF-8 \
    -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  printf "listen_addresses = 'localhost'\njit = off\n" >>"$PGDATA/postgresql.conf"
  init_socket=$(mktemp -d)
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k $init_socket" -w start >/dev/null
  export PGHOST=$init_socket
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -q \
      -c "CREATE DATABASE \"$POSTGRES_DB\"" >/dev/null
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -q -f "$f" ;;
      *.sh) . "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  unset PGHOST
  rmdir "$init_socket"
  echo "database initialised in $PGDATA"
fi

postgres -D "$PGDATA" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || true' TERM INT
# wait returns early when a trapped signal arrives; wait again for the server's own exit
status=0
wait "$pid" || status=$?
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" || status=$?
done
exit "$status"
