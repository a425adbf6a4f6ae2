#!/usr/bin/env bash
# The worked example target, examples/plan-stack/ (the plan's container names, a Node.js service), as
# Compose project plan-stack on the engine DOCKER_HOST names (the environment's; nothing is set here).
#   scripts/example-stack.sh up     .env with random passwords on first use (0600, never committed),
#                                   the host's node_modules (the host consumer needs them), local images
#                                   where no registry can be reached, up -d, then waits (bounded) until
#                                   all 8 containers run, the API's /health answers 200 and every Sentinel
#                                   sees the master with 2 replicas and the 2 other Sentinels
#   scripts/example-stack.sh down   down -v of project plan-stack only
#   scripts/example-stack.sh env    KEY=value lines: the .env, and the running stack's addresses for the
#                                   host consumer (SENTINELS, MYSQL_HOST, MYSQL_PORT, APP_URL); load with
#                                   set -a; eval "$(bash scripts/example-stack.sh env)"; set +a
# Offline machines (this repository's: no image registry, the images built from Debian packages by
# scripts/docker-engine.sh) get fairbid-ha/node:local (Debian's Node 18) and fairbid-ha/plan-app:local
# from it; LOCAL_IMAGES=1|0 forces that on or off (default: on where fairbid-ha/redis:local exists).
# REDIS_IMAGE / MYSQL_IMAGE / APP_IMAGE point at the local images only when those exist and the
# variable is unset. WAIT_S (180) bounds the wait.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EX="$ROOT/examples/plan-stack"
ENV_FILE="$EX/.env"
PROJECT=plan-stack
CONTAINERS=(redis-master redis-slave-1 redis-slave-2 sentinel-1 sentinel-2 sentinel-3 fairbid-mysql fairbid-app)
SENTINELS=(sentinel-1 sentinel-2 sentinel-3)
WAIT_S=${WAIT_S:-180}
NODE_LOCAL=fairbid-ha/node:local
APP_LOCAL=fairbid-ha/plan-app:local

NAME=example-stack
# shellcheck source=scripts/lib/example-common.sh
source "$ROOT/scripts/lib/example-common.sh"

env_value() {  # env_value KEY: from the environment, else from .env
  local v="${!1:-}"
  if [ -z "$v" ] && [ -f "$ENV_FILE" ]; then v=$(sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1); fi
  printf '%s' "$v"
}

make_env() {
  write_env_once "examples/plan-stack secrets" "REDIS_PASSWORD=$(rand)" "SENTINEL_PASSWORD=$(rand)" \
    "MYSQL_ROOT_PASSWORD=$(rand)" "MYSQL_PASSWORD=$(rand)" "MYSQL_USER=fairbid" "MYSQL_DATABASE=plan"
}

node_modules() {
  [ -d "$EX/node_modules" ] && return
  command -v npm >/dev/null || die "npm is needed on the host (the consumer runs there): install Node.js 18 or newer"
  say "npm ci in $EX"
  (cd "$EX" && npm ci --omit=dev --no-audit --no-fund)
}

offline() {
  case "${LOCAL_IMAGES:-auto}" in
    1|yes|true) return 0 ;;
    0|no|false) return 1 ;;
    *) have_image fairbid-ha/redis:local ;;
  esac
}

# Debian's Node 18, like scripts/docker-engine.sh's image(): mmdebstrap, then docker import
node_image() {
  have_image "$NODE_LOCAL" && return
  command -v mmdebstrap >/dev/null || die "mmdebstrap is needed to build $NODE_LOCAL (apt-get install mmdebstrap)"
  local d; d=$(mktemp -d); TMPS+=("$d")
  say "building $NODE_LOCAL from Debian packages: nodejs,ca-certificates"
  mmdebstrap --quiet --variant=apt --include=nodejs,ca-certificates bookworm "$d/rootfs.tar"
  docker import "$d/rootfs.tar" "$NODE_LOCAL" >/dev/null
  rm -f "$d/rootfs.tar"
}

# The API's image from it, with the host's node_modules (containers have no route to a registry);
# rebuilt when the sources or the lock change (their hash is the image's label)
app_image() {
  local sum have d
  sum=$(cd "$EX" && cat app.js common.js consumer.js package.json package-lock.json | sha256sum | cut -c1-16)
  have=$(docker image inspect -f '{{ index .Config.Labels "fairbid.plan-app.sources" }}' "$APP_LOCAL" 2>/dev/null || true)
  [ "$have" = "$sum" ] && return
  d=$(mktemp -d); TMPS+=("$d")
  cp -r "$EX/node_modules" "$EX/app.js" "$EX/common.js" "$EX/consumer.js" "$EX/package.json" "$EX/package-lock.json" "$d/"
  printf '%s\n' "FROM $NODE_LOCAL" 'WORKDIR /app' 'COPY . /app/' 'ENV NODE_ENV=production PORT=8080' \
    'EXPOSE 8080' "LABEL fairbid.plan-app.sources=$sum" 'USER 65534' 'CMD ["node", "app.js"]' > "$d/Dockerfile"
  say "building $APP_LOCAL"
  # the legacy builder's deprecation notice on stderr is shown only when the build fails
  docker build -q -t "$APP_LOCAL" "$d" >/dev/null 2>"$d/build.log" || { cat "$d/build.log" >&2; die "docker build of $APP_LOCAL failed"; }
}

use_local_images() {
  if [ -z "${REDIS_IMAGE:-}" ] && have_image fairbid-ha/redis:local; then export REDIS_IMAGE=fairbid-ha/redis:local; fi
  if [ -z "${MYSQL_IMAGE:-}" ] && have_image fairbid-ha/mariadb:local; then export MYSQL_IMAGE=fairbid-ha/mariadb:local; fi
  if [ -z "${APP_IMAGE:-}" ] && have_image "$APP_LOCAL"; then export APP_IMAGE=$APP_LOCAL; fi
}

ip_of() {  # the container's first address, or nothing
  { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$1" 2>/dev/null || true; } | awk '{print $1}'
}

app_url() {
  local bind port
  bind=$(env_value APP_BIND); port=$(env_value APP_PORT)
  case "$bind" in ''|0.0.0.0) bind=127.0.0.1 ;; esac
  echo "http://$bind:${port:-18080}"
}

http_status() {  # http_status URL: the status code, or 000
  if command -v curl >/dev/null; then
    curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" || true
  else
    node -e "require('http').get(process.argv[1], {timeout: 2000}, r => { console.log(r.statusCode); process.exit(0) })
      .on('error', () => { console.log('000'); process.exit(0) })" "$1"
  fi
}

# "master ok" when this Sentinel sees mymaster as master, with 2 replicas up and 2 other Sentinels
sentinel_view() {
  local s=$1 master replicas
  # -a is the Sentinel password, read inside the container from its own environment
  master=$(timeout 5 docker exec "$s" sh -c \
    'redis-cli --no-auth-warning -a "$SENTINEL_PASSWORD" -p 26379 SENTINEL master mymaster' 2>/dev/null) || { echo "no answer"; return; }
  replicas=$(timeout 5 docker exec "$s" sh -c \
    'redis-cli --no-auth-warning -a "$SENTINEL_PASSWORD" -p 26379 SENTINEL replicas mymaster' 2>/dev/null) || { echo "no answer"; return; }
  local flags others up
  flags=$(awk 'p=="flags"{print; exit} {p=$0}' <<<"$master")
  others=$(awk 'p=="num-other-sentinels"{print; exit} {p=$0}' <<<"$master")
  up=$(awk 'p=="flags" && $0=="slave"{n++} {p=$0} END{print n+0}' <<<"$replicas")
  if [ "$flags" = master ] && [ "$up" = 2 ] && [ "$others" = 2 ]; then echo "master ok"; else
    echo "flags=${flags:-?} replicas-up=$up other-sentinels=${others:-?}"; fi
}

not_ready() {  # prints what is not ready yet; nothing when all is
  local c state
  for c in "${CONTAINERS[@]}"; do
    state=$(docker inspect -f '{{.State.Status}}' "$c" 2>/dev/null || echo missing)
    [ "$state" = running ] || echo "$c: $state"
  done
  local code; code=$(http_status "$(app_url)/health")
  [ "$code" = 200 ] || echo "fairbid-app /health: $code"
  local s v
  for s in "${SENTINELS[@]}"; do
    v=$(sentinel_view "$s"); [ "$v" = "master ok" ] || echo "$s: $v"
  done
}

up() {
  docker version >/dev/null 2>&1 || die "no Docker engine answers at ${DOCKER_HOST:-the default socket}"
  make_env
  node_modules
  if offline && [ -z "${APP_IMAGE:-}" ]; then node_image; app_image; fi
  use_local_images
  say "images: redis ${REDIS_IMAGE:-redis:7}, mysql ${MYSQL_IMAGE:-mysql:8}, app ${APP_IMAGE:-fairbid-plan-app}"
  compose "$ENV_FILE" up -d
  local start=$SECONDS deadline=$((SECONDS + WAIT_S)) i missing=""
  for ((i = 0; i < WAIT_S; i++)); do
    missing=$(not_ready)
    if [ -z "$missing" ]; then
      local master
      master=$(timeout 5 docker exec sentinel-1 sh -c \
        'redis-cli --no-auth-warning -a "$SENTINEL_PASSWORD" -p 26379 SENTINEL get-master-addr-by-name mymaster' 2>/dev/null | paste -sd: - || true)
      say "ready after $((SECONDS - start)) s: API $(app_url), master $master with 2 replicas, 3 Sentinels"
      return 0
    fi
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 1
  done
  echo "example-stack: not ready after $((SECONDS - start)) s:" >&2
  sed 's/^/  /' <<<"$missing" >&2
  exit 1
}

down() {
  docker version >/dev/null 2>&1 || die "no Docker engine answers at ${DOCKER_HOST:-the default socket}"
  local envf=$ENV_FILE
  if [ ! -f "$envf" ]; then  # Compose insists on the variables even to take the project down
    envf=$(mktemp); TMPS+=("$envf")
    printf '%s\n' REDIS_PASSWORD=x SENTINEL_PASSWORD=x MYSQL_ROOT_PASSWORD=x MYSQL_PASSWORD=x > "$envf"
  fi
  compose "$envf" down -v -t 3
}

env_lines() {
  [ -f "$ENV_FILE" ] || die "no $ENV_FILE yet: run scripts/example-stack.sh up first"
  grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$ENV_FILE"
  if docker version >/dev/null 2>&1; then
    local s ip list=""
    for s in "${SENTINELS[@]}"; do
      ip=$(ip_of "$s")
      if [ -n "$ip" ]; then list="${list:+$list,}$ip:26379"; fi
    done
    if [ -n "$list" ]; then echo "SENTINELS='$list'"; fi
    ip=$(ip_of fairbid-mysql)
    if [ -n "$ip" ]; then echo "MYSQL_HOST='$ip'"; echo "MYSQL_PORT='3306'"; fi
  fi
  echo "MASTER_NAME='mymaster'"
  echo "APP_URL='$(app_url)'"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) env_lines ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
