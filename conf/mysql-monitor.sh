#!/bin/sh
# The harness's read-only monitoring account (row counts) and the replication account, with the lab's
# passwords.
# Sourced by the official image's entrypoint from /docker-entrypoint-initdb.d; run by
# conf/mysql-entrypoint.sh on the Debian image. MYSQL_ROOT_PASSWORD and MONITOR_PASSWORD come from Compose.
client=$(command -v mysql || command -v mariadb)
MYSQL_PWD="$MYSQL_ROOT_PASSWORD" "$client" --protocol=socket -uroot -e "
  CREATE USER IF NOT EXISTS 'monitor'@'%' IDENTIFIED BY '${MONITOR_PASSWORD}';
  GRANT SELECT ON fairbid.* TO 'monitor'@'%';
  CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '${REPL_PASSWORD}';
  GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';"
# replica status for the monitor: MariaDB calls the privilege SLAVE MONITOR, MySQL REPLICATION CLIENT
MYSQL_PWD="$MYSQL_ROOT_PASSWORD" "$client" --protocol=socket -uroot -e "GRANT SLAVE MONITOR ON *.* TO 'monitor'@'%'" \
  2>/dev/null || MYSQL_PWD="$MYSQL_ROOT_PASSWORD" "$client" --protocol=socket -uroot \
  -e "GRANT REPLICATION CLIENT ON *.* TO 'monitor'@'%'"
