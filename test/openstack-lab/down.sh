#!/bin/bash
# test/openstack-lab/down.sh — stop everything up.sh started (by recorded PID /
# process group; nothing else is touched).
#   usage: down.sh [--purge] [NAME...]
#   --purge also deletes the state dir (databases, images, volumes);
#   NAMEs (e.g. nova-compute cinder-volume) stop only those services.
STATE=${OSLAB_STATE:-/var/lib/oslab}
RUN=$STATE/run
[ -d "$RUN" ] || { echo "nothing to stop ($RUN missing)"; exit 0; }
PURGE=0; ONLY=""
for a in "$@"; do case "$a" in --purge) PURGE=1;; *) ONLY="$ONLY $a";; esac; done
names=$( [ -f "$RUN/order" ] && tac "$RUN/order" | awk '!seen[$0]++' )
[ -n "$ONLY" ] && names=$ONLY
for n in $names; do
    f=$RUN/$n.pid; [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        echo "stopping $n (pid $pid)"
        # up.sh started each service with setsid: its process group id is its pid
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    fi
done
for i in $(seq 1 30); do
    alive=0
    for n in $names; do
        f=$RUN/$n.pid; [ -f "$f" ] || continue
        kill -0 -- "-$(cat "$f")" 2>/dev/null && alive=1
    done
    [ $alive = 0 ] && break
    sleep 1
done
for n in $names; do
    f=$RUN/$n.pid; [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 -- "-$pid" 2>/dev/null; then echo "killing $n (pgid $pid)"; kill -KILL -- "-$pid" 2>/dev/null; fi
    rm -f "$f"
done
[ -z "$ONLY" ] && rm -f "$RUN/order"
if [ $PURGE = 1 ] && [ -z "$ONLY" ]; then
    case "$STATE" in /|"") ;; *) echo "removing $STATE"; rm -rf "$STATE";; esac
    # swift.sh links /etc/swift/swift.conf to the state dir when none existed
    [ -L /etc/swift/swift.conf ] && [ "$(readlink /etc/swift/swift.conf)" = "$STATE/etc/swift/swift.conf" ] \
        && rm -f /etc/swift/swift.conf && rmdir /etc/swift 2>/dev/null
fi
echo "down."
