#!/usr/bin/env bash
# The FairBid-shaped worked example, examples/fairbid/: a Spring Boot service written from FairBid's
# public contract (run on the host, owned by the harness) and its Redis/Sentinel/MySQL stack, as
# Compose project fairbid-example on the engine DOCKER_HOST names (the environment's; nothing is set here).
#   scripts/fairbid-stack.sh build  mvn package, only when pom.xml or src/ changed since the last build
#                                   (their hash is kept in target/): target/fairbid-example.jar
#   scripts/fairbid-stack.sh up     .env with random MySQL passwords on first use (0600, never committed),
#                                   local images where no registry can be reached, up -d, then waits
#                                   (bounded) until all 7 containers run, MySQL has its tables and every
#                                   Sentinel sees the master with 2 replicas and the 2 other Sentinels
#   scripts/fairbid-stack.sh down   down -v of project fairbid-example only
#   scripts/fairbid-stack.sh env    KEY=value lines: the .env (MYSQL_*) and the running stack's addresses
#                                   (SENTINELS, MASTER_NAME, MYSQL_HOST, MYSQL_PORT), which the application
#                                   reads as they are; to start it on the host:
#                                   set -a; eval "$(bash scripts/fairbid-stack.sh env)"; set +a
#                                   SERVER_PORT=18090 java -jar examples/fairbid/target/fairbid-example.jar \
#                                     --spring.profiles.active=sentinel
# REDIS_IMAGE / MYSQL_IMAGE point at fairbid-ha/redis:local and fairbid-ha/mariadb:local (built by
# scripts/docker-engine.sh images) only when those exist and the variable is unset. WAIT_S (180)
# bounds the wait.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EX="$ROOT/examples/fairbid"
ENV_FILE="$EX/.env"
JAR="$EX/target/fairbid-example.jar"
PROJECT=fairbid-example  # not "fairbid": compose/sentinel.yml suggests that name for the repository's own stack
CONTAINERS=(fb-redis-master fb-redis-replica-1 fb-redis-replica-2 fb-sentinel-1 fb-sentinel-2 fb-sentinel-3 fb-mysql)
SENTINELS=(fb-sentinel-1 fb-sentinel-2 fb-sentinel-3)
# compose.yml's fixed addresses, used when the engine cannot be asked
declare -A FIXED=([fb-sentinel-1]=172.22.0.21 [fb-sentinel-2]=172.22.0.22 [fb-sentinel-3]=172.22.0.23 [fb-mysql]=172.22.0.31)
WAIT_S=${WAIT_S:-180}

NAME=fairbid-stack
# shellcheck source=scripts/lib/example-common.sh
source "$ROOT/scripts/lib/example-common.sh"
engine() { docker version >/dev/null 2>&1 || die "no Docker engine answers at ${DOCKER_HOST:-the default socket}"; }

sources_hash() {  # pom.xml and every file under src/, names included
  (cd "$EX" && find pom.xml src -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

build() {
  command -v mvn >/dev/null || die "mvn is needed (Maven 3 with a Java 17 JDK)"
  local sum; sum=$(sources_hash)
  if [ -f "$JAR" ] && [ "$(cat "$EX/target/.sources.sha256" 2>/dev/null)" = "$sum" ]; then
    say "$JAR is up to date"; return
  fi
  say "mvn package in $EX"
  local start=$SECONDS
  (cd "$EX" && mvn -q -B -Dstyle.color=never package)  # its unit tests run too: a failing one fails the build
  [ -f "$JAR" ] || die "mvn did not produce $JAR"
  echo "$sum" > "$EX/target/.sources.sha256"
  say "built $JAR in $((SECONDS - start)) s"
}

make_env() {
  write_env_once "examples/fairbid secrets" "MYSQL_ROOT_PASSWORD=$(rand)" "MYSQL_PASSWORD=$(rand)" \
    "MYSQL_USER=fairbid" "MYSQL_DATABASE=fairbid"
}


use_local_images() {
  if [ -z "${REDIS_IMAGE:-}" ] && have_image fairbid-ha/redis:local; then export REDIS_IMAGE=fairbid-ha/redis:local; fi
  if [ -z "${MYSQL_IMAGE:-}" ] && have_image fairbid-ha/mariadb:local; then export MYSQL_IMAGE=fairbid-ha/mariadb:local; fi
}

ip_of() {  # the container's first address, else compose.yml's fixed one
  local ip
  ip=$({ docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$1" 2>/dev/null || true; } | awk '{print $1}')
  echo "${ip:-${FIXED[$1]:-}}"
}

# "master ok" when this Sentinel sees mymaster as master, with 2 replicas up and 2 other Sentinels
sentinel_view() {
  local s=$1 master replicas flags others up
  master=$(timeout 5 docker exec "$s" redis-cli -p 26379 SENTINEL master mymaster 2>/dev/null) || { echo "no answer"; return; }
  replicas=$(timeout 5 docker exec "$s" redis-cli -p 26379 SENTINEL replicas mymaster 2>/dev/null) || { echo "no answer"; return; }
  flags=$(awk 'p=="flags"{print; exit} {p=$0}' <<<"$master")
  others=$(awk 'p=="num-other-sentinels"{print; exit} {p=$0}' <<<"$master")
  up=$(awk 'p=="flags" && $0=="slave"{n++} {p=$0} END{print n+0}' <<<"$replicas")
  if [ "$flags" = master ] && [ "$up" = 2 ] && [ "$others" = 2 ]; then echo "master ok"; else
    echo "flags=${flags:-?} replicas-up=$up other-sentinels=${others:-?}"; fi
}

not_ready() {  # prints what is not ready yet; nothing when all is
  local c state health s v
  for c in "${CONTAINERS[@]}"; do
    state=$(docker inspect -f '{{.State.Status}}' "$c" 2>/dev/null || echo missing)
    [ "$state" = running ] || echo "$c: $state"
  done
  health=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' fb-mysql 2>/dev/null || true)
  [ "$health" = healthy ] || echo "fb-mysql: ${health:-no health yet} (tables)"
  for s in "${SENTINELS[@]}"; do
    v=$(sentinel_view "$s"); [ "$v" = "master ok" ] || echo "$s: $v"
  done
}

up() {
  engine
  make_env
  use_local_images
  say "images: redis ${REDIS_IMAGE:-redis:7}, mysql ${MYSQL_IMAGE:-mysql:8}"
  compose "$ENV_FILE" up -d
  local start=$SECONDS deadline=$((SECONDS + WAIT_S)) i missing=""
  for ((i = 0; i < WAIT_S; i++)); do
    missing=$(not_ready)
    if [ -z "$missing" ]; then
      local master
      master=$(timeout 5 docker exec fb-sentinel-1 redis-cli -p 26379 SENTINEL get-master-addr-by-name mymaster 2>/dev/null | paste -sd: - || true)
      say "ready after $((SECONDS - start)) s: master $master with 2 replicas, 3 Sentinels, MySQL $(ip_of fb-mysql):3306"
      [ -f "$JAR" ] || say "no $JAR yet: scripts/fairbid-stack.sh build"
      return 0
    fi
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 1
  done
  echo "fairbid-stack: not ready after $((SECONDS - start)) s:" >&2
  sed 's/^/  /' <<<"$missing" >&2
  exit 1
}

down() {
  engine
  local envf=$ENV_FILE
  if [ ! -f "$envf" ]; then  # Compose insists on the variables even to take the project down
    envf=$(mktemp); TMPS+=("$envf")
    printf '%s\n' MYSQL_ROOT_PASSWORD=x MYSQL_PASSWORD=x > "$envf"
  fi
  compose "$envf" down -v -t 3
}

env_lines() {
  [ -f "$ENV_FILE" ] || die "no $ENV_FILE yet: run scripts/fairbid-stack.sh up first"
  grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$ENV_FILE"
  local s list="" mysql
  for s in "${SENTINELS[@]}"; do list="${list:+$list,}$(ip_of "$s"):26379"; done
  mysql=$(ip_of fb-mysql)
  echo "SENTINELS=$list"
  echo "MASTER_NAME=mymaster"
  echo "MYSQL_HOST=$mysql"
  echo "MYSQL_PORT=3306"
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  down) down ;;
  env) env_lines ;;
  *) echo "usage: $0 build|up|down|env" >&2; exit 2 ;;
esac
