#!/bin/sh
# Entrypoint of stack-back-test/mariadb: enough of the official mariadb image for our tests.
#   MARIADB_ROOT_PASSWORD (or MYSQL_ROOT_PASSWORD), MARIADB_ALLOW_EMPTY_ROOT_PASSWORD
#   (or MYSQL_ALLOW_EMPTY_PASSWORD), MARIADB_DATABASE / MARIADB_USER / MARIADB_PASSWORD (or the
#   MYSQL_* names), each also as <NAME>_FILE; data in /var/lib/mysql, initialised on first start,
#   then *.sql / *.sh from /docker-entrypoint-initdb.d.
# Unlike the official image, root@localhost has only the password (no unix_socket fallback), so
# a wrong password really fails. The server runs as PID 1 and shuts down on SIGTERM.
set -eu

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
# the temporary server of the initialisation has its own socket: `mariadb-admin ping` answers
# only once the real server runs
INIT_SOCKET=/run/mysqld/init.sock

# file_env VAR [default]: VAR from MARIADB_VAR, MYSQL_VAR or their _FILE forms.
file_env() {
  _out=MARIADB_$1
  _val=
  for _var in "MARIADB_$1" "MYSQL_$1"; do
    eval "_v=\${$_var:-}"
    eval "_f=\${${_var}_FILE:-}"
    if [ -z "$_val" ] && [ -n "$_f" ]; then _val=$(cat "$_f"); fi
    if [ -z "$_val" ] && [ -n "$_v" ]; then _val=$_v; fi
    unset "${_var}_FILE"
  done
  export "$_out=${_val:-${2:-}}"
}

if [ "${1:-mariadbd}" != mariadbd ]; then
  exec "$@"
fi
# PID 1 ignores signals it has no handler for: a stop during initialisation must work too
trap 'exit 143' TERM INT

mkdir -p "$DATADIR" /run/mysqld
chown -R mysql:mysql "$DATADIR" /run/mysqld

file_env ROOT_PASSWORD
file_env ALLOW_EMPTY_ROOT_PASSWORD
[ -n "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] || {
  eval "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=\${MYSQL_ALLOW_EMPTY_PASSWORD:-}"
}
file_env DATABASE
file_env USER
file_env PASSWORD

# mariadb's client reads MYSQL_PWD: never let a user's password leak into our own calls
unset MYSQL_PWD

sql_quote() { printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g"; }

if [ ! -d "$DATADIR/mysql" ]; then
  if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ]; then
    echo "error: set MARIADB_ROOT_PASSWORD or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" >&2
    exit 1
  fi
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db \
    --auth-root-authentication-method=normal >/dev/null
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$INIT_SOCKET" &
  tmp_pid=$!
  i=0
  until mariadb-admin --socket="$INIT_SOCKET" -uroot ping >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt 300 ] || { echo "error: temporary server did not start" >&2; exit 1; }
    sleep 0.1
  done
  {
    echo "DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost'));"
    if [ -n "$MARIADB_ROOT_PASSWORD" ]; then
      pw=$(sql_quote "$MARIADB_ROOT_PASSWORD")
      echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';"
      echo "CREATE USER 'root'@'%' IDENTIFIED BY '$pw';"
      echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    fi
    if [ -n "$MARIADB_DATABASE" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
    fi
    if [ -n "$MARIADB_USER" ] && [ -n "$MARIADB_PASSWORD" ]; then
      pw=$(sql_quote "$MARIADB_PASSWORD")
      echo "CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY '$pw';"
      if [ -n "$MARIADB_DATABASE" ]; then
        echo "GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket="$INIT_SOCKET" -uroot
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) MYSQL_PWD=$MARIADB_ROOT_PASSWORD mariadb --socket="$INIT_SOCKET" -uroot \
        ${MARIADB_DATABASE:+"$MARIADB_DATABASE"} <"$f" ;;
      *.sh) . "$f" ;;
    esac
  done
  kill -TERM "$tmp_pid"
  wait "$tmp_pid" || true
  echo "database initialised in $DATADIR"
fi

exec mariadbd --user=mysql --datadir="$DATADIR" --socket="$SOCKET" --bind-address=127.0.0.1
