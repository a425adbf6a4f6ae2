#!/usr/bin/env bash
# Prepares a machine like this one for the Docker backend: no engine runs and no image registry can
# be reached, so the engine comes from Debian's docker.io and the images are built from Debian
# packages (mmdebstrap, then docker import). Everything lives under $FAIRBID_DOCKER_DIR.
#   scripts/docker-engine.sh install|start|images|stop|env
# `start` prints nothing but waits for the engine; `env` prints the DOCKER_HOST line to export.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=${FAIRBID_DOCKER_DIR:-$ROOT/.docker}
SOCK="$D/docker.sock"
DNS_IP=${FAIRBID_DOCKER_DNS_IP:-172.17.0.1}  # the default bridge's gateway: the engine's resolver
export DOCKER_HOST="unix://$SOCK"

install() {
  command -v dockerd >/dev/null && command -v docker-compose >/dev/null && command -v mmdebstrap >/dev/null \
    && command -v dnsmasq >/dev/null && return
  [ "$(id -u)" = 0 ] || { echo "need root to apt-get install docker.io docker-compose mmdebstrap" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q -o DPkg::Lock::Timeout=600
  apt-get install -y -q -o DPkg::Lock::Timeout=600 docker.io docker-compose mmdebstrap dnsmasq-base
}

start() {
  mkdir -p "$D"
  if [ -f "$D/docker.pid" ] && kill -0 "$(cat "$D/docker.pid")" 2>/dev/null; then resolver; return; fi
  # --iptables=false --ip-masq=false: containers reach only their own networks, nothing to undo in the firewall.
  # --dns $DNS_IP: a name no running container has (a killed one's) is forwarded by Docker's DNS to the
  # containers' resolver. With no route out, the host's would never answer, so every lookup of it waits
  # 20 s (Sentinel, blocked, enters TILT and never fails over); a laptop's answers "no such name" at
  # once. The engine's own resolver (dnsmasq on the default bridge, knowing no name) answers so too.
  setsid dockerd --iptables=false --ip-masq=false --bip "$DNS_IP/16" --dns "$DNS_IP" \
    --data-root "$D/data" --exec-root "$D/exec" \
    --pidfile "$D/docker.pid" -H "$DOCKER_HOST" >"$D/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 120); do docker version >/dev/null 2>&1 && break; sleep 0.5; done
  docker version >/dev/null 2>&1 || { echo "the engine did not start; see $D/dockerd.log" >&2; exit 1; }
  resolver
}

resolver() {  # answers NXDOMAIN for every name, on the default bridge's address only
  if [ -f "$D/dnsmasq.pid" ] && kill -0 "$(cat "$D/dnsmasq.pid")" 2>/dev/null; then return; fi
  for _ in $(seq 1 40); do ip -4 addr show docker0 2>/dev/null | grep -q "inet $DNS_IP/" && break; sleep 0.25; done
  dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --address=/#/ --listen-address="$DNS_IP" \
    --bind-interfaces --port=53 --user=root --pid-file="$D/dnsmasq.pid" --log-facility="$D/dnsmasq.log"
}

image() {  # image NAME PACKAGES...
  local name=$1; shift
  docker image inspect "$name" >/dev/null 2>&1 && return
  local pkgs; pkgs=$(IFS=,; echo "$*")
  echo "building $name from Debian packages: $pkgs"
  mmdebstrap --quiet --variant=apt --include="$pkgs" bookworm "$D/rootfs.tar"
  docker import "$D/rootfs.tar" "$name" >/dev/null
  rm -f "$D/rootfs.tar"
}

images() {
  image fairbid-ha/redis:local redis-server redis-sentinel redis-tools
  image fairbid-ha/mariadb:local mariadb-server mariadb-client
  image fairbid-ha/python:local python3 ca-certificates
  # the image carries a digest of the service's code and requirements: built again when they changed
  # (an image of older code would run a stand-in without the settings a scenario needs, FAIRBID_CLUSTER say)
  local src; src=$(cd "$ROOT" && { cat requirements-service.txt; find fairbid -name '*.py' | LC_ALL=C sort | xargs cat; } \
    | sha256sum | cut -c1-16)
  if [ "$(docker image inspect -f '{{index .Config.Labels "fairbid.source"}}' fairbid-ha/service:local 2>/dev/null)" != "$src" ]; then
    echo "building fairbid-ha/service:local from fairbid/ ($src)"
    # the service's Python packages come from PyPI on the host (containers have no route out)
    rm -rf "$D/site" && python3 -m pip install -q --target "$D/site" -r "$ROOT/requirements-service.txt"
    rm -rf "$D/ctx" && mkdir -p "$D/ctx" && cp -r "$D/site" "$ROOT/fairbid" "$D/ctx/"
    printf '%s\n' 'FROM fairbid-ha/python:local' 'COPY site /opt/site' 'COPY fairbid /app/fairbid' \
      'ENV PYTHONPATH=/opt/site:/app PYTHONUNBUFFERED=1' 'WORKDIR /app' "LABEL fairbid.source=$src" \
      'CMD ["python3", "-m", "fairbid.api"]' > "$D/ctx/Dockerfile"
    docker build -q -t fairbid-ha/service:local "$D/ctx" >/dev/null
  fi
  if ! docker image inspect fairbid-ha/locust:local >/dev/null 2>&1; then
    # Locust workers as containers (compose/locust.yml): the harness's packages, the checkout mounted at /app
    # async-timeout: redis-py needs it below Python 3.11.3 (the image's Debian 3.11.2), pip here may be newer
    rm -rf "$D/lsite" && python3 -m pip install -q --target "$D/lsite" -r "$ROOT/requirements.txt" async-timeout==5.0.1
    rm -rf "$D/lctx" && mkdir -p "$D/lctx" && mv "$D/lsite" "$D/lctx/site"
    printf '%s\n' 'FROM fairbid-ha/python:local' 'COPY site /opt/site' \
      'ENV PYTHONPATH=/opt/site:/app PYTHONUNBUFFERED=1' 'WORKDIR /tmp' > "$D/lctx/Dockerfile"
    docker build -q -t fairbid-ha/locust:local "$D/lctx" >/dev/null
    rm -rf "$D/lctx"
  fi
}

stop() {
  [ -S "$SOCK" ] || [ -f "$D/docker.pid" ] || return 0
  local bridges=""
  if docker version >/dev/null 2>&1; then
    for id in $(docker ps -aq); do docker rm -f "$id" >/dev/null; done
    bridges=$(docker network ls -q --filter driver=bridge | while read -r n; do
      name=$(docker network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' "$n")
      [ -n "$name" ] && echo "$name" || echo "br-$n"; done)
    docker network prune -f >/dev/null || true
  fi
  if [ -f "$D/dnsmasq.pid" ]; then kill "$(cat "$D/dnsmasq.pid")" 2>/dev/null || true; rm -f "$D/dnsmasq.pid"; fi
  if [ -f "$D/docker.pid" ]; then
    pid=$(cat "$D/docker.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  for b in $bridges docker0; do ip link show "$b" >/dev/null 2>&1 && ip link delete "$b" || true; done
  # dockerd makes its data root a mount of its own; seen left behind after a CI run (the checkout could
  # then not be removed: "Device or resource busy")
  if grep -q " $D/data " /proc/self/mountinfo 2>/dev/null; then umount "$D/data" 2>/dev/null || umount -l "$D/data" || true; fi
  rm -rf "$D/exec" "$D/docker.pid" "$SOCK"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  images) images ;;
  stop) stop ;;
  env) echo "export DOCKER_HOST=$DOCKER_HOST" ;;
  *) echo "usage: $0 install|start|images|stop|env" >&2; exit 2 ;;
esac
