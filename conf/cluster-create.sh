#!/bin/sh
# compose/cluster.yml's one-shot cluster-create: waits until every node of CLUSTER_NODES (h:p,...; empty:
# the nine at SUBNET_PREFIX.11-.19) answers, then `redis-cli --cluster create` makes them one cluster,
# the first nodes masters, CLUSTER_REPLICAS replicas each. A cluster formed already (slots assigned on
# the first node: Compose starts this again on a later `up`) is left as it is. The password comes from
# REDISCLI_AUTH, never the command line. Every wait is bounded.
set -eu
if [ -n "${CLUSTER_NODES:-}" ]; then
  nodes=$(echo "$CLUSTER_NODES" | tr ',' ' ')
else
  nodes=""
  for i in 1 2 3 4 5 6 7 8 9; do nodes="$nodes ${SUBNET_PREFIX}.1$i:6379"; done
fi
for n in $nodes; do
  i=0
  until [ "$(redis-cli -h "${n%:*}" -p "${n##*:}" ping 2>/dev/null)" = PONG ]; do
    i=$((i + 1))
    if [ "$i" -gt 600 ]; then echo "cluster-create: $n does not answer" >&2; exit 1; fi
    sleep 0.1
  done
done
set -- $nodes
if redis-cli -h "${1%:*}" -p "${1##*:}" cluster info | grep -q '^cluster_slots_assigned:[1-9]'; then
  echo "cluster-create: the cluster is formed already"
  exit 0
fi
exec timeout 120 redis-cli --cluster create "$@" --cluster-replicas "${CLUSTER_REPLICAS:-2}" --cluster-yes
