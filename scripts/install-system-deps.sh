#!/usr/bin/env bash
# Installs the servers the local backend runs and the browser the web UI's test drives (Debian
# packages), only where one is missing.
set -euo pipefail
need=()
command -v redis-server   >/dev/null || need+=(redis-server redis-tools)
command -v redis-sentinel >/dev/null || need+=(redis-sentinel)
command -v mariadbd       >/dev/null || need+=(mariadb-server mariadb-client)
command -v iptables       >/dev/null || need+=(iptables)
command -v valgrind       >/dev/null || need+=(valgrind)  # bench/instructions.py counts instructions with callgrind
# tests/test_webui_browser.py: the web UI in a browser, by these paths (never a downloaded browser)
[ -x /usr/bin/chromium ]     || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing: ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing ${need[*]} (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q -o DPkg::Lock::Timeout=600
apt-get install -y -q -o DPkg::Lock::Timeout=600 "${need[@]}"
