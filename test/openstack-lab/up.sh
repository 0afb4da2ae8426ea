#!/bin/bash
# test/openstack-lab/up.sh — bring up a minimal, real OpenStack (Zed, Debian 12
# packages) on 127.0.0.1 for the integration suite: keystone, glance,
# placement, nova (fake compute driver), neutron (ML2, agentless binding),
# cinder (file-backed volumes), swift (with the S3 API and Keystone EC2
# credentials), octavia (noop amphorae), then make it look like an SCS cloud
# (python/scs_setup.py) and print clouds.yaml.
#
#   usage: up.sh [OUTDIR]      (OUTDIR gets clouds.yaml, *.rc, env; default
#                               $OSLAB_STATE/out = /var/lib/oslab/out)
#   env:   OSLAB_STATE   state dir            (default /var/lib/oslab)
#          OSLAB_PASSWORD every password       (default oslab-secret)
#          OSLAB_SERVICES services to start    (default "keystone glance
#                         placement nova neutron cinder swift octavia")
#          OSLAB_DEBUG=1  debug logging in all services
#          OSLAB_SKIP_INSTALL=1  do not apt-get anything
#          OSLAB_FULL=1   skip the "already running" shortcut
#          OSLAB_INSTALL_ONLY=1  install the packages and stop (image baking)
#          OSLAB_PRINT_PASSWORD=1  print clouds.yaml with its passwords
#
# Idempotent.  When every wanted service is already running and answering,
# only the SCS setup runs (a few seconds, no root needed); otherwise the full
# path installs what is missing (root), writes configs, syncs databases and
# starts whatever is not running.  Log lines go to stderr; stdout carries only
# clouds.yaml with every password masked, because CI logs keep stdout (the real
# file is in OUTDIR; OSLAB_PRINT_PASSWORD=1 npm run -s lab:up > clouds.yaml
# gives a usable copy).
set -euo pipefail
exec 3>&1 1>&2   # everything but clouds.yaml goes to stderr

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${OSLAB_STATE:-/var/lib/oslab}
PW=${OSLAB_PASSWORD:-oslab-secret}
SERVICES=${OSLAB_SERVICES:-keystone glance placement nova neutron cinder swift octavia}
DEBUG=$([ "${OSLAB_DEBUG:-0}" = 1 ] && echo true || echo false)
OUT=${1:-$STATE/out}
ETC=$STATE/etc LOG=$STATE/log RUN=$STATE/run BIN=$STATE/bin PY=$STATE/python
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PYTHONPATH=$PY
export DEBIAN_FRONTEND=noninteractive
PY3=/usr/bin/python3
DB="mysql+pymysql://oslab:$PW@127.0.0.1/%s?charset=utf8"
KS=http://127.0.0.1:5000
T0=$(date +%s)

log() { printf '[oslab %4ss] %s\n' $(( $(date +%s) - T0 )) "$*"; }
want() { [[ " $SERVICES " == *" $1 "* ]]; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------ already running? ---
# process names (pid files in $RUN) that each service needs
procs_of() {
    case $1 in
        keystone) echo "mariadb keystone";;
        glance) echo "glance-api";;
        placement) echo "placement";;
        nova) echo "rabbitmq nova-api nova-conductor nova-scheduler nova-compute";;
        neutron) echo "rabbitmq neutron-server";;
        cinder) echo "rabbitmq cinder-api cinder-scheduler cinder-volume";;
        swift) echo "swift-proxy swift-account swift-container swift-object";;
        octavia) echo "rabbitmq octavia-api octavia-worker";;
    esac
}
port_of() {
    case $1 in keystone) echo 5000;; glance) echo 9292;; placement) echo 8778;;
        nova) echo 8774;; neutron) echo 9696;; cinder) echo 8776;; swift) echo 8080;;
        octavia) echo 9876;; esac
}
lab_running() {
    [ -f "$OUT/clouds.yaml" ] || return 1
    local s p
    for s in $SERVICES; do
        for p in $(procs_of "$s"); do
            # kill -0 on another user's process fails: accept a live /proc entry
            [ -f "$RUN/$p.pid" ] && [ -d "/proc/$(cat "$RUN/$p.pid")" ] || return 1
        done
        curl -s -o /dev/null -m 5 "http://127.0.0.1:$(port_of "$s")/" || return 1
    done
}
scs_setup_and_print() {
    log "SCS setup (flavors, image, default external network, volume types, quotas)"
    $PY3 "$LAB_DIR/python/scs_setup.py" "$OUT/clouds.yaml" $SERVICES || die "SCS setup failed"
    log "clouds.yaml: $OUT/clouds.yaml (export OS_CLIENT_CONFIG_FILE=$OUT/clouds.yaml)"
    if [ "${OSLAB_PRINT_PASSWORD:-0}" = 1 ]; then cat "$OUT/clouds.yaml" >&3
    else sed -E "s|^( *password:).*|\\1 \"*** (see $OUT/clouds.yaml)\"|" "$OUT/clouds.yaml" >&3; fi
}

if [ "${OSLAB_FULL:-0}" != 1 ] && lab_running; then
    log "lab already running ($SERVICES): reusing it"
    scs_setup_and_print
    log "up (reused) in $(( $(date +%s) - T0 ))s"
    exit 0
fi

[ "$(id -u)" = 0 ] || die "the lab is not running and starting it needs root (run: sudo npm run lab:up)"
command -v apt-get >/dev/null && [ -f /etc/debian_version ] \
    || die "the lab needs Debian 12 (bookworm) with apt-get"
mkdir -p "$STATE"
# one up.sh at a time (two test runs starting at once would race on the DBs)
exec 9> "$STATE/.up.lock"
flock 9
mkdir -p "$ETC" "$LOG" "$RUN" "$BIN" "$PY" "$OUT"

# ---------------------------------------------------------------- install ---
PKGS="python3-keystone python3-glance python3-placement python3-nova
 python3-neutron python3-cinder python3-openstackclient
 python3-pymysql mariadb-server mariadb-client rabbitmq-server uwsgi-core
 uwsgi-plugin-python3 qemu-utils curl"
# swiftclient: the `swift` CLI, an independent cross-check of the S3 API
if want swift; then PKGS="$PKGS python3-swift python3-swiftclient"; fi
if want octavia; then PKGS="$PKGS python3-octavia python3-octaviaclient"; fi
install_pkgs() {
    local missing=""
    for p in $PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
            || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        log "apt-get install:$missing"
        # keep Debian's maintainer scripts from starting any daemon
        local made_policy=0
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
            chmod +x /usr/sbin/policy-rc.d; made_policy=1
        fi
        if ! apt-cache show python3-nova >/dev/null 2>&1; then
            apt-get update -q
        fi
        local apt_install="apt-get install -y -q --no-install-recommends
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
        # stale package lists give 404s on a fresh machine: update once, retry
        $apt_install $missing > "$LOG/apt.log" 2>&1 \
            || { log "apt-get install failed; apt-get update and retry"
                 apt-get update -q >> "$LOG/apt.log" 2>&1
                 $apt_install $missing >> "$LOG/apt.log" 2>&1; } \
            || { tail -30 "$LOG/apt.log"; die "apt-get failed"; }
        [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
    fi
    # api-paste.ini & friends live in the *-common daemon packages; take the
    # files without installing those packages (no debconf/dbconfig at all)
    if [ ! -f "$STATE/debs/.done" ]; then
        log "extracting paste/rootwrap files from *-common packages"
        rm -rf "$STATE/debs"; mkdir -p "$STATE/debs/x"; chmod 777 "$STATE/debs"
        (cd "$STATE/debs" && apt-get download -q nova-common glance-common \
            cinder-common neutron-common > /dev/null 2>&1) \
            || { apt-get update -q && (cd "$STATE/debs" && apt-get download -q \
                 nova-common glance-common cinder-common neutron-common); }
        for f in "$STATE"/debs/*.deb; do dpkg-deb -x "$f" "$STATE/debs/x"; done
        touch "$STATE/debs/.done"
    fi
}
T_INSTALL0=$(date +%s)
if [ "${OSLAB_SKIP_INSTALL:-0}" != 1 ]; then install_pkgs; fi
T_INSTALL=$(( $(date +%s) - T_INSTALL0 ))
log "install phase: ${T_INSTALL}s"
if [ "${OSLAB_INSTALL_ONLY:-0}" = 1 ]; then log "OSLAB_INSTALL_ONLY=1: packages in place, nothing started"; exit 0; fi
X=$STATE/debs/x

# our fakes (ML2 mechanism driver, nova fake driver w/ snapshot upload,
# file-backed cinder driver) + entry point metadata
rm -rf "$PY"/oslab_fakes "$PY"/oslab_fakes-*.dist-info
cp -r "$LAB_DIR"/python/oslab_fakes "$LAB_DIR"/python/oslab_fakes-*.dist-info "$PY"/
cp "$LAB_DIR"/python/ks_setup.py "$PY"/

# console-script wrappers (the daemon packages that ship them are not used)
mkbin() { # name module:function
    local mod=${2%%:*} fn=${2##*:}
    printf '#!/usr/bin/python3\nimport sys\nfrom %s import %s\nsys.exit(%s())\n' \
        "$mod" "$fn" "$fn" > "$BIN/$1"
    chmod +x "$BIN/$1"
}
mkbin nova-manage nova.cmd.manage:main
mkbin nova-api nova.cmd.api:main
mkbin nova-conductor nova.cmd.conductor:main
mkbin nova-scheduler nova.cmd.scheduler:main
# nova only loads compute drivers from the nova.virt package: extend its path
cat > "$BIN/nova-compute" <<EOF
#!/usr/bin/python3
import sys
from nova.cmd.compute import main
import nova.virt
nova.virt.__path__.append('$PY/oslab_fakes')
sys.exit(main())
EOF
chmod +x "$BIN/nova-compute"
mkbin glance-manage glance.cmd.manage:main
mkbin glance-api glance.cmd.api:main
mkbin neutron-db-manage neutron.db.migration.cli:main
mkbin neutron-server neutron.cmd.eventlet.server:main
mkbin cinder-manage cinder.cmd.manage:main
mkbin cinder-api cinder.cmd.api:main
mkbin cinder-scheduler cinder.cmd.scheduler:main
mkbin cinder-volume cinder.cmd.volume:main

# ------------------------------------------------------------- processes ---
running() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
start() { # name cmd... ; own session so down.sh can stop the whole group
    local name=$1; shift
    if running "$name"; then log "$name already running (pid $(cat "$RUN/$name.pid"))"; return 0; fi
    log "starting $name"
    # Why 3>&- 9>&-: a daemon must not inherit the caller's stdout (a pipe
    # reading clouds.yaml would never see EOF) nor the up.sh lock
    setsid "$@" >> "$LOG/$name.log" 2>&1 < /dev/null 3>&- 9>&- &
    echo $! > "$RUN/$name.pid"
    echo "$name" >> "$RUN/order"
}
wait_tcp() { # port seconds name
    local i
    for i in $(seq 1 "$2"); do
        (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0
        if [ -n "${3:-}" ] && ! running "$3"; then tail -40 "$LOG/$3.log"; die "$3 died"; fi
        sleep 1
    done
    [ -n "${3:-}" ] && tail -40 "$LOG/$3.log"
    die "port $1 not up after $2s"
}
wait_http() { # url seconds name
    local i
    for i in $(seq 1 "$2"); do
        curl -s -o /dev/null -m 5 "$1" && return 0
        if [ -n "${3:-}" ] && ! running "$3"; then tail -40 "$LOG/$3.log"; die "$3 died"; fi
        sleep 1
    done
    [ -n "${3:-}" ] && tail -40 "$LOG/$3.log"
    die "$1 not answering after $2s"
}
T_START0=$(date +%s)

# --------------------------------------------------------------- mariadb ---
if [ ! -d "$STATE/mysql/mysql" ]; then
    log "initialising mariadb datadir"
    mkdir -p "$STATE/mysql"
    mariadb-install-db --user=root --datadir="$STATE/mysql" \
        --auth-root-authentication-method=socket --skip-test-db \
        > "$LOG/mariadb-install.log" 2>&1 || { tail "$LOG/mariadb-install.log"; die "mariadb-install-db"; }
fi
cat > "$ETC/my.cnf" <<EOF
[mysqld]
user = root
datadir = $STATE/mysql
socket = $RUN/mysqld.sock
pid-file = $RUN/mysqld.real.pid
bind-address = 127.0.0.1
port = 3306
skip-name-resolve
performance_schema = OFF
innodb_buffer_pool_size = 64M
innodb_log_file_size = 32M
innodb_flush_log_at_trx_commit = 2
max_connections = 2000
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
log-error = $LOG/mariadb.err
EOF
start mariadb /usr/sbin/mariadbd --defaults-file="$ETC/my.cnf"
for i in $(seq 1 60); do [ -S "$RUN/mysqld.sock" ] && break; sleep 1; done
wait_tcp 3306 60 mariadb
SQL() { mariadb --defaults-file=/dev/null --socket="$RUN/mysqld.sock" -uroot -e "$1"; }
for d in keystone glance placement nova_api nova nova_cell0 neutron cinder octavia; do
    SQL "CREATE DATABASE IF NOT EXISTS $d CHARACTER SET utf8"
done
SQL "CREATE USER IF NOT EXISTS 'oslab'@'127.0.0.1' IDENTIFIED BY '$PW';
     CREATE USER IF NOT EXISTS 'oslab'@'localhost' IDENTIFIED BY '$PW';
     GRANT ALL ON *.* TO 'oslab'@'127.0.0.1'; GRANT ALL ON *.* TO 'oslab'@'localhost';
     FLUSH PRIVILEGES;"

# -------------------------------------------------------------- rabbitmq ---
if want nova || want neutron || want cinder || want octavia; then
    mkdir -p "$STATE/rabbitmq"
    export HOME_RABBIT=$STATE/rabbitmq
    [ -f "$STATE/rabbitmq/.erlang.cookie" ] || { head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STATE/rabbitmq/.erlang.cookie"; chmod 400 "$STATE/rabbitmq/.erlang.cookie"; }
    # epmd first, on loopback, under our own pid file
    start epmd /usr/bin/epmd -address 127.0.0.1 -port 4369
    wait_tcp 4369 20 epmd
    cat > "$ETC/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:5672
loopback_users.guest = true
log.file.level = warning
vm_memory_high_watermark.absolute = 512MiB
disk_free_limit.absolute = 50MB
EOF
    start rabbitmq env HOME="$STATE/rabbitmq" \
        RABBITMQ_NODENAME=oslab@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
        RABBITMQ_NODE_PORT=5672 RABBITMQ_DIST_PORT=25672 \
        ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_CONFIG_FILE="$ETC/rabbitmq.conf" \
        RABBITMQ_MNESIA_BASE="$STATE/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$LOG" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$STATE/rabbitmq/enabled_plugins" \
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
        /usr/lib/rabbitmq/bin/rabbitmq-server
fi
RABBIT=rabbit://guest:guest@127.0.0.1:5672/

# common config snippets ------------------------------------------------------
authtoken() { # user
cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $KS
auth_url = $KS
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $PW
service_token_roles_required = true
EOF
}
svcauth() { # section user
cat <<EOF
[$1]
auth_type = password
auth_url = $KS
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $PW
region_name = RegionOne
EOF
}

# -------------------------------------------------------------- keystone ---
if want keystone; then
    mkdir -p "$ETC/keystone" "$STATE/keystone"
    cat > "$ETC/keystone/keystone.conf" <<EOF
[DEFAULT]
debug = $DEBUG
[database]
connection = $(printf "$DB" keystone)
[token]
provider = fernet
expiration = 86400
[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys
[fernet_receipts]
key_repository = $STATE/keystone/fernet-keys
[credential]
key_repository = $STATE/keystone/credential-keys
EOF
    KM="keystone-manage --config-file $ETC/keystone/keystone.conf"
    log "keystone db_sync"
    $KM db_sync > "$LOG/keystone-manage.log" 2>&1 || { tail "$LOG/keystone-manage.log"; die keystone-db; }
    [ -d "$STATE/keystone/fernet-keys" ] || $KM fernet_setup --keystone-user root --keystone-group root >> "$LOG/keystone-manage.log" 2>&1
    [ -d "$STATE/keystone/credential-keys" ] || $KM credential_setup --keystone-user root --keystone-group root >> "$LOG/keystone-manage.log" 2>&1
    $KM bootstrap --bootstrap-password "$PW" --bootstrap-region-id RegionOne \
        --bootstrap-admin-url $KS/v3/ --bootstrap-internal-url $KS/v3/ \
        --bootstrap-public-url $KS/v3/ >> "$LOG/keystone-manage.log" 2>&1 || die "keystone bootstrap"
    # Why processes, not threads: under heavy load Keystone once died with greenlet's "cannot switch to a
    # different thread" inside a uWSGI worker thread and left the set-up hanging; single-threaded workers avoid it.
    start keystone env OS_KEYSTONE_CONFIG_DIR="$ETC/keystone" \
        uwsgi --plugin python3 --http-socket 127.0.0.1:5000 \
        --wsgi-file /usr/bin/keystone-wsgi-public --master --processes 4 \
        --threads 1 --die-on-term --buffer-size 65535 --need-app \
        --add-header "Connection: close"
    wait_http $KS/v3 60 keystone
    svcs=""
    for s in glance placement nova neutron cinder swift octavia; do want $s && svcs="$svcs $s"; done
    # A hung Keystone must fail the lab in bounded time, not the whole CI run.
    timeout 900 $PY3 "$PY/ks_setup.py" "$PW" $svcs || die "keystone set-up failed or hung (see $LOG/keystone.log)"
fi

# ---------------------------------------------------------------- glance ---
if want glance; then
    mkdir -p "$ETC/glance" "$STATE/glance/images" "$STATE/glance/staging" "$STATE/glance/tasks"
    cp "$X/usr/share/glance-common/glance-api-paste.ini" "$ETC/glance/"
    cat > "$ETC/glance/glance-api.conf" <<EOF
[DEFAULT]
debug = $DEBUG
bind_host = 127.0.0.1
bind_port = 9292
workers = 0
enabled_backends = fs:file
image_size_cap = 10737418240
[database]
connection = $(printf "$DB" glance)
$(authtoken glance)
[paste_deploy]
flavor = keystone
config_file = $ETC/glance/glance-api-paste.ini
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $STATE/glance/images/
[os_glance_staging_store]
filesystem_store_datadir = $STATE/glance/staging/
[os_glance_tasks_store]
filesystem_store_datadir = $STATE/glance/tasks/
[oslo_concurrency]
lock_path = $STATE/glance/lock
[oslo_policy]
enforce_new_defaults = false
enforce_scope = false
EOF
    log "glance db_sync"
    $BIN/glance-manage --config-file "$ETC/glance/glance-api.conf" db_sync > "$LOG/glance-manage.log" 2>&1 || { tail "$LOG/glance-manage.log"; die glance-db; }
    start glance-api $BIN/glance-api --config-file "$ETC/glance/glance-api.conf"
fi

# ------------------------------------------------------------- placement ---
if want placement; then
    mkdir -p "$ETC/placement"
    cat > "$ETC/placement/placement.conf" <<EOF
[DEFAULT]
debug = $DEBUG
[placement_database]
connection = $(printf "$DB" placement)
[api]
auth_strategy = keystone
$(authtoken placement)
EOF
    log "placement db sync"
    placement-manage --config-file "$ETC/placement/placement.conf" db sync > "$LOG/placement-manage.log" 2>&1 || { tail "$LOG/placement-manage.log"; die placement-db; }
    start placement env OS_PLACEMENT_CONFIG_DIR="$ETC/placement" \
        uwsgi --plugin python3 --http-socket 127.0.0.1:8778 \
        --wsgi-file /usr/bin/placement-api --master --processes 1 \
        --threads 4 --die-on-term --buffer-size 65535 --need-app \
        --add-header "Connection: close"
fi

# ------------------------------------------------------------------ nova ---
if want nova; then
    mkdir -p "$ETC/nova" "$STATE/nova/instances" "$STATE/nova/lock"
    cp "$X/usr/share/nova-common/api-paste.ini" "$ETC/nova/"
    cat > "$ETC/nova/nova.conf" <<EOF
[DEFAULT]
debug = $DEBUG
transport_url = $RABBIT
my_ip = 127.0.0.1
host = oslab
state_path = $STATE/nova
instances_path = $STATE/nova/instances
compute_driver = nova_fake.LabFakeDriver
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
vif_plugging_is_fatal = false
vif_plugging_timeout = 0
allow_resize_to_same_host = true
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $ETC/nova/api-paste.ini
[api_database]
connection = $(printf "$DB" nova_api)
[database]
connection = $(printf "$DB" nova)
$(authtoken nova)
$(svcauth placement nova)
$(svcauth neutron neutron)
$(svcauth service_user nova)
send_service_user_token = true
[cinder]
os_region_name = RegionOne
catalog_info = volumev3:cinderv3:publicURL
[glance]
region_name = RegionOne
[scheduler]
discover_hosts_in_cells_interval = 2
workers = 1
[conductor]
workers = 1
[oslo_concurrency]
lock_path = $STATE/nova/lock
[vnc]
enabled = false
[quota]
instances = 50
cores = 200
ram = 512000
[oslo_messaging_notifications]
driver = noop
EOF
    NM="$BIN/nova-manage --config-file $ETC/nova/nova.conf"
    log "nova api_db sync / cells / db sync"
    {
        $NM api_db sync
        $NM cell_v2 map_cell0 --database_connection "$(printf "$DB" nova_cell0)"
        $NM cell_v2 list_cells | grep -q ' cell1 ' || $NM cell_v2 create_cell --name cell1
        $NM db sync
    } > "$LOG/nova-manage.log" 2>&1 || { tail -30 "$LOG/nova-manage.log"; die nova-db; }
fi

# --------------------------------------------------------------- neutron ---
if want neutron; then
    mkdir -p "$ETC/neutron" "$STATE/neutron/lock"
    cp "$X/usr/share/neutron-common/api-paste.ini" "$ETC/neutron/"
    cat > "$ETC/neutron/neutron.conf" <<EOF
[DEFAULT]
debug = $DEBUG
bind_host = 127.0.0.1
bind_port = 9696
api_workers = 1
rpc_workers = 0
rpc_state_report_workers = 0
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
transport_url = $RABBIT
api_paste_config = $ETC/neutron/api-paste.ini
state_path = $STATE/neutron
allow_overlapping_ips = true
dhcp_agent_notification = false
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
[database]
connection = $(printf "$DB" neutron)
$(authtoken neutron)
$(svcauth nova nova)
[oslo_concurrency]
lock_path = $STATE/neutron/lock
[ml2]
type_drivers = flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers = oslab_fake
extension_drivers = port_security
[ml2_type_flat]
flat_networks = public,physnet1
[ml2_type_vlan]
network_vlan_ranges = physnet1:100:199
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
[oslo_messaging_notifications]
driver = noop
EOF
    log "neutron db upgrade"
    $BIN/neutron-db-manage --config-file "$ETC/neutron/neutron.conf" upgrade heads > "$LOG/neutron-db-manage.log" 2>&1 || { tail -30 "$LOG/neutron-db-manage.log"; die neutron-db; }
    start neutron-server $BIN/neutron-server --config-file "$ETC/neutron/neutron.conf"
fi

# ---------------------------------------------------------------- cinder ---
if want cinder; then
    mkdir -p "$ETC/cinder" "$STATE/cinder/volumes" "$STATE/cinder/lock" "$STATE/cinder/conversion"
    cp "$X/usr/share/cinder-common/api-paste.ini" "$ETC/cinder/"
    cp "$X/etc/cinder/resource_filters.json" "$ETC/cinder/"
    cat > "$ETC/cinder/cinder.conf" <<EOF
[DEFAULT]
debug = $DEBUG
transport_url = $RABBIT
my_ip = 127.0.0.1
host = oslab
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = 8776
osapi_volume_workers = 1
auth_strategy = keystone
api_paste_config = $ETC/cinder/api-paste.ini
resource_query_filters_file = $ETC/cinder/resource_filters.json
state_path = $STATE/cinder
image_conversion_dir = $STATE/cinder/conversion
enabled_backends = lab
default_volume_type = lab
glance_api_servers = http://127.0.0.1:9292
[database]
connection = $(printf "$DB" cinder)
$(authtoken cinder)
$(svcauth nova nova)
[oslo_concurrency]
lock_path = $STATE/cinder/lock
[oslo_messaging_notifications]
driver = noop
[lab]
volume_driver = oslab_fakes.cinder_file.FileVolumeDriver
volume_backend_name = lab
oslab_volumes_dir = $STATE/cinder/volumes
EOF
    log "cinder db sync"
    $BIN/cinder-manage --config-file "$ETC/cinder/cinder.conf" db sync > "$LOG/cinder-manage.log" 2>&1 || { tail -30 "$LOG/cinder-manage.log"; die cinder-db; }
fi

# --------------------------------------------------- start the rest, wait ---
if want nova || want neutron || want cinder || want octavia; then wait_tcp 5672 120 rabbitmq; fi
if want nova; then
    start nova-conductor $BIN/nova-conductor --config-file "$ETC/nova/nova.conf"
    start nova-scheduler $BIN/nova-scheduler --config-file "$ETC/nova/nova.conf"
    start nova-api $BIN/nova-api --config-file "$ETC/nova/nova.conf"
    start nova-compute $BIN/nova-compute --config-file "$ETC/nova/nova.conf"
fi
if want cinder; then
    start cinder-api $BIN/cinder-api --config-file "$ETC/cinder/cinder.conf"
    start cinder-scheduler $BIN/cinder-scheduler --config-file "$ETC/cinder/cinder.conf"
    start cinder-volume $BIN/cinder-volume --config-file "$ETC/cinder/cinder.conf"
fi
if want swift; then bash "$LAB_DIR/swift.sh" "$STATE" "$PW" 3>&- 9>&- || die "swift failed (see $LOG/swift-*.log)"; fi
if want octavia; then bash "$LAB_DIR/octavia.sh" "$STATE" "$PW" "$DEBUG" 3>&- 9>&- || die "octavia failed (see $LOG/octavia-*.log)"; fi

want glance && wait_http http://127.0.0.1:9292/ 120 glance-api
want placement && wait_http http://127.0.0.1:8778/ 120 placement
want neutron && wait_http http://127.0.0.1:9696/ 180 neutron-server
want nova && wait_http http://127.0.0.1:8774/ 180 nova-api
want cinder && wait_http http://127.0.0.1:8776/ 180 cinder-api

# ------------------------------------------------------ client env files ---
mkrc() { # name user project
cat > "$OUT/$1.rc" <<EOF
export OS_AUTH_URL=$KS/v3
export OS_IDENTITY_API_VERSION=3
export OS_USERNAME=$2
export OS_PASSWORD=$PW
export OS_PROJECT_NAME=$3
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
export OS_INTERFACE=public
EOF
}
mkrc admin admin admin; mkrc src src_user src; mkrc dst dst_user dst
{
echo "clouds:"
for c in "admin admin admin" "src src_user src" "dst dst_user dst"; do
    set -- $c
cat <<EOF
  $1:
    auth:
      auth_url: $KS/v3
      username: $2
      password: $PW
      project_name: $3
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
    identity_api_version: 3
EOF
done
} > "$OUT/clouds.yaml"
cp "$OUT/admin.rc" "$STATE/admin.rc"

# ------------------------------------------- nova: wait for compute + map ---
if want nova; then
    . "$STATE/admin.rc"
    for i in $(seq 1 120); do
        openstack compute service list --service nova-compute -f value -c State 2>/dev/null | grep -q up && break
        running nova-compute || { tail -40 "$LOG/nova-compute.log"; die "nova-compute died"; }
        sleep 2
    done
    $BIN/nova-manage --config-file "$ETC/nova/nova.conf" cell_v2 discover_hosts >> "$LOG/nova-manage.log" 2>&1
    for i in $(seq 1 60); do
        openstack hypervisor list -f value -c State 2>/dev/null | grep -q up && break; sleep 2
    done
fi
if want cinder; then
    . "$STATE/admin.rc"
    for i in $(seq 1 90); do
        openstack volume service list --service cinder-volume -f value -c State 2>/dev/null | grep -q up && break
        running cinder-volume || { tail -40 "$LOG/cinder-volume.log"; die "cinder-volume died"; }
        sleep 2
    done
fi

T_START=$(( $(date +%s) - T_START0 ))
cat > "$OUT/oslab.env" <<EOF
OSLAB_STATE=$STATE
OSLAB_SERVICES="$SERVICES"
OSLAB_INSTALL_SECONDS=$T_INSTALL
OSLAB_START_SECONDS=$T_START
OS_CLIENT_CONFIG_FILE=$OUT/clouds.yaml
EOF
log "up: install ${T_INSTALL}s, start ${T_START}s; env in $OUT (clouds.yaml, admin.rc, src.rc, dst.rc)"
scs_setup_and_print
log "up (full path) in $(( $(date +%s) - T0 ))s"
