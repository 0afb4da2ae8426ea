#!/bin/bash
# openstack-lab/octavia.sh STATE PASSWORD DEBUG — called by up.sh (OSLAB_SERVICES
# contains "octavia").  Octavia (Zed, Debian's python3-octavia) with the noop
# amphora, compute, network, image and volume drivers: the API and the
# controller worker are real, the amphorae are not.  A load balancer goes
# through the real flows (database, taskflow, RPC over the lab's RabbitMQ) and
# reaches provisioning_status ACTIVE, but nothing forwards traffic.
#   octavia-api     uWSGI on 127.0.0.1:9876 (service type load-balancer)
#   octavia-worker  cotyledon: one v1 and one v2 consumer on topic octavia_prov
# No health manager and no housekeeping: with noop amphorae there are no
# heartbeats, and the health manager would only fail amphorae over.
set -euo pipefail
STATE=$1 PW=$2 DEBUG=${3:-false}
ETC=$STATE/etc/octavia LOG=$STATE/log RUN=$STATE/run BIN=$STATE/bin
KS=http://127.0.0.1:5000
DB="mysql+pymysql://oslab:$PW@127.0.0.1/octavia?charset=utf8"
mkdir -p "$ETC" "$STATE/octavia/certs" "$STATE/octavia/lock"

log() { echo "[oslab octavia] $*"; }
running() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

# The amphora create flow signs a server certificate for every amphora (even a
# noop one) with the local cert generator, so a CA must exist.  Made once with
# python3-cryptography (an Octavia dependency), so no openssl CLI is needed.
CA=$STATE/octavia/certs
if [ ! -f "$CA/ca.key" ]; then
    /usr/bin/python3 - "$CA" <<'EOF'
import datetime, os, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
d = sys.argv[1]
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'oslab octavia CA')])
now = datetime.datetime.utcnow()
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
with open(os.path.join(d, 'ca.pem'), 'wb') as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
with open(os.path.join(d, 'ca.key'), 'wb') as f:
    f.write(key.private_bytes(serialization.Encoding.PEM,
                              serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()))
os.chmod(os.path.join(d, 'ca.key'), 0o600)
EOF
fi

# server_certs_key_passphrase: 32 url-safe characters, derived from nothing
# secret (the certificates protect nothing in a noop lab), stable across runs
cat > "$ETC/octavia.conf" <<EOF
[DEFAULT]
debug = $DEBUG
transport_url = rabbit://guest:guest@127.0.0.1:5672/
[api_settings]
bind_host = 127.0.0.1
bind_port = 9876
auth_strategy = keystone
api_base_uri = http://127.0.0.1:9876
enabled_provider_drivers = amphora:The Octavia Amphora driver (noop amphorae in this lab)
default_provider_driver = amphora
[database]
connection = $DB
[keystone_authtoken]
www_authenticate_uri = $KS
auth_url = $KS
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = octavia
password = $PW
service_token_roles_required = true
[service_auth]
auth_type = password
auth_url = $KS
project_domain_name = Default
user_domain_name = Default
project_name = service
username = octavia
password = $PW
[controller_worker]
workers = 1
# the amphora boot task reads the CA that amphorae would trust, noop or not
client_ca = $CA/ca.pem
amphora_driver = amphora_noop_driver
compute_driver = compute_noop_driver
network_driver = network_noop_driver
image_driver = image_noop_driver
volume_driver = volume_noop_driver
loadbalancer_topology = SINGLE
# the noop compute driver answers ACTIVE at once; keep retries short anyway
amp_active_retries = 5
amp_active_wait_sec = 1
[task_flow]
jobboard_enabled = false
[certificates]
cert_generator = local_cert_generator
cert_manager = local_cert_manager
ca_certificate = $CA/ca.pem
ca_private_key = $CA/ca.key
server_certs_key_passphrase = oslab-octavia-lab-passphrase-32c
[haproxy_amphora]
base_path = $STATE/octavia/amphora
base_cert_dir = $STATE/octavia/amphora-certs
[oslo_concurrency]
lock_path = $STATE/octavia/lock
[oslo_messaging]
topic = octavia_prov
[oslo_messaging_notifications]
driver = noop
EOF

log "db upgrade"
/usr/bin/python3 -c 'import sys; from octavia.db.migration.cli import main; sys.argv[0] = "octavia-db-manage"; sys.exit(main())' \
    --config-file "$ETC/octavia.conf" upgrade head > "$LOG/octavia-db-manage.log" 2>&1 \
    || { tail -30 "$LOG/octavia-db-manage.log"; exit 1; }

# uWSGI rather than Octavia's wsgiref server (one request at a time, HTTP/1.0)
cat > "$BIN/octavia-wsgi.py" <<EOF
from octavia.api import app
application = app.setup_app(argv=['octavia-api', '--config-file', '$ETC/octavia.conf'])
EOF
printf '#!/usr/bin/python3\nimport sys\nfrom octavia.cmd.octavia_worker import main\nsys.exit(main())\n' > "$BIN/octavia-worker"
chmod +x "$BIN/octavia-worker"

start() { # name cmd...
    local name=$1; shift
    running "$name" && return 0
    log "starting $name"
    setsid "$@" >> "$LOG/$name.log" 2>&1 < /dev/null &
    echo $! > "$RUN/$name.pid"; echo "$name" >> "$RUN/order"
}
start octavia-worker "$BIN/octavia-worker" --config-file "$ETC/octavia.conf"
# Why Connection: close: uWSGI's http-socket drops kept-alive connections (see
# keystone).  Why one thread per process: the API imports eventlet (through
# oslo.messaging) without monkey-patching, and with uWSGI threads its hub
# fails with "greenlet.error: cannot switch to a different thread" and the API
# hangs; two single-threaded processes serve the lab's parallel calls instead.
start octavia-api uwsgi --plugin python3 --http-socket 127.0.0.1:9876 \
    --wsgi-file "$BIN/octavia-wsgi.py" --master --processes 2 --threads 1 \
    --lazy-apps --die-on-term --buffer-size 65535 --need-app --add-header "Connection: close"
for i in $(seq 1 90); do
    curl -s -o /dev/null -m 5 http://127.0.0.1:9876/ && exit 0
    running octavia-api || break
    sleep 1
done
echo "octavia-api not answering"; tail -30 "$LOG/octavia-api.log"; exit 1
