# Shared by the worked examples' scripts (scripts/example-stack.sh, scripts/fairbid-stack.sh), sourced
# after they set NAME (their message prefix), EX (the example's folder), PROJECT (its Compose project)
# and ENV_FILE: temporary files removed on exit, messages, Compose v1 or v2 on that project, images,
# and the secrets file made once.
TMPS=()
cleanup() { for t in "${TMPS[@]}"; do rm -rf "$t"; done; }
trap cleanup EXIT
die() { echo "$NAME: $*" >&2; exit 1; }
say() { echo "$NAME: $*"; }

if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
compose() { "${COMPOSE[@]}" -p "$PROJECT" -f "$EX/compose.yml" --env-file "$1" "${@:2}"; }

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

rand() { od -An -N18 -tx1 /dev/urandom | tr -d ' \n'; }

# write_env_once WHAT LINE...: ENV_FILE made once, mode 0600, written whole or not at all (never committed)
write_env_once() {
  [ -f "$ENV_FILE" ] && return
  local tmp
  tmp=$(umask 077 && mktemp "$EX/.env.XXXXXX")
  TMPS+=("$tmp")
  printf '%s\n' "# $1, made by scripts/$NAME.sh on $(date -u +%FT%TZ); never commit" "${@:2}" > "$tmp"
  chmod 600 "$tmp"
  mv "$tmp" "$ENV_FILE"
  say "wrote $ENV_FILE (mode 0600)"
}
