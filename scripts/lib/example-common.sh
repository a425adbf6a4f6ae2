# Shared by the worked examples' scripts (scripts/example-stack.sh, scripts/fairbid-stack.sh), sourced
# after they set NAME (their message prefix), EX (the example's folder) and PROJECT (its Compose
# project): temporary files removed on exit, messages, Compose v1 or v2 on that project, images.
TMPS=()
cleanup() { for t in "${TMPS[@]}"; do rm -rf "$t"; done; }
trap cleanup EXIT
die() { echo "$NAME: $*" >&2; exit 1; }
say() { echo "$NAME: $*"; }

if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
compose() { "${COMPOSE[@]}" -p "$PROJECT" -f "$EX/compose.yml" --env-file "$1" "${@:2}"; }

have_image() { docker image inspect "$1" >/dev/null 2>&1; }
