#!/bin/sh
# MySQL/MariaDB entry for compose/: the official mysql image initializes itself (MYSQL_* variables,
# /docker-entrypoint-initdb.d); a plain Debian MariaDB image (the project's offline tests) does not,
# so this does the same there: a data dir, the database and accounts, the schema; with REPLICA_OF,
# a replica of that primary instead (the replica is built on the Debian image only).
set -e
if command -v docker-entrypoint.sh >/dev/null 2>&1; then exec docker-entrypoint.sh "$@"; fi
[ "$1" = mysqld ] && shift
mkdir -p /var/lib/mysql /run/mysqld
if [ ! -d /var/lib/mysql/mysql ]; then
  mariadb-install-db --user=root --datadir=/var/lib/mysql --auth-root-authentication-method=normal --skip-test-db >/dev/null
fi
init=0
[ -d "/var/lib/mysql/${MYSQL_DATABASE}" ] || init=1  # the Debian package ships a system data dir, not ours
mariadbd --user=root --datadir=/var/lib/mysql --bind-address=0.0.0.0 --port=3306 --skip-name-resolve \
  --socket=/run/mysqld/mysqld.sock "$@" &
pid=$!
# root has no password on a fresh data dir, and the lab's once the init below has run
ready() { MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mariadb -uroot -e "SELECT 1" >/dev/null 2>&1 || mariadb -uroot -e "SELECT 1" >/dev/null 2>&1; }
i=0; until ready; do i=$((i+1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done
if [ $init = 1 ] && [ -n "${REPLICA_OF:-}" ]; then
  # a replica creates nothing: the primary's binlog (database, schema, users, root's password) replays here
  mariadb -uroot -e "CHANGE MASTER TO MASTER_HOST='${REPLICA_OF}', MASTER_PORT=3306, MASTER_USER='repl',
    MASTER_PASSWORD='${REPL_PASSWORD}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1;
    START SLAVE;"
elif [ $init = 1 ]; then
  mariadb -uroot -e "CREATE DATABASE IF NOT EXISTS ${MYSQL_DATABASE};
    CREATE USER IF NOT EXISTS '${MYSQL_USER}'@'%' IDENTIFIED BY '${MYSQL_PASSWORD}';
    GRANT SELECT, INSERT, UPDATE, DELETE ON ${MYSQL_DATABASE}.* TO '${MYSQL_USER}'@'%';"
  for f in /docker-entrypoint-initdb.d/*.sql; do mariadb -uroot "${MYSQL_DATABASE}" < "$f"; done
  mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}'"
  for f in /docker-entrypoint-initdb.d/*.sh; do [ -e "$f" ] && . "$f"; done  # with root's password now
fi
wait $pid
