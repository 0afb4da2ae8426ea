#!/usr/bin/python3
"""Make the lab look like an SCS cloud (idempotent, one process, a few seconds).

usage: scs_setup.py CLOUDS_YAML [SERVICE ...]   (default: all of them;
       parts for services that are not listed are skipped)

What it ensures, as the lab's admin:
* the 15 mandatory flavors of scs-0103-v1 with the extra specs the standard
  requires (scs:name-v1, scs:name-v2, scs:cpu-type, scs:disk0-type);
* a private non-SCS flavor m1.legacy that only project src may use;
* a public "Ubuntu 24.04" image with scs-0102 metadata and small,
  deterministic content (4 MiB, raw);
* the external network "public" (flat, 203.0.113.0/24) with is_default=true
  (Neutron loads the auto_allocate service plugin by default, which owns the
  is_default attribute);
* the volume types "lab" (default) and "ssd" whose description carries SCS
  aspects (scs-0114), both on the lab's single backend;
* quotas for src and dst large enough for a medium tenant plus its copy;
* a health check: nova-compute and cinder-volume report "up".

Everything is compared first and written only when missing or different, so a
second run makes no change and only reads.  Uses Debian's keystoneauth1.
"""
import concurrent.futures
import hashlib
import json
import sys
import time

import yaml
from keystoneauth1 import adapter, session
from keystoneauth1.identity import v3

CLOUDS = yaml.safe_load(open(sys.argv[1]))['clouds']
SERVICES = set(sys.argv[2:] or ['glance', 'nova', 'neutron', 'cinder'])
AUTH = CLOUDS['admin']['auth']
sess = session.Session(auth=v3.Password(
    auth_url=AUTH['auth_url'], username=AUTH['username'],
    password=AUTH['password'], project_name=AUTH['project_name'],
    user_domain_name='Default', project_domain_name='Default'))


def api(stype, microversion=None):
    return adapter.Adapter(sess, service_type=stype, interface='public',
                           region_name='RegionOne',
                           default_microversion=microversion)


identity = api('identity')
compute = api('compute', '2.61')
image = api('image')
network = api('network')
volume = api('block-storage', '3.60')
changes = []


def changed(what):
    changes.append(what)
    print('scs-setup: ' + what, file=sys.stderr)


def project_id(name):
    items = identity.get('/projects', params={'name': name}).json()['projects']
    if not items:
        sys.exit('scs-setup: project %s is missing (run up.sh first)' % name)
    return items[0]['id']


SRC, DST = project_id('src'), project_id('dst')

# ------------------------------------------------------------------ health ---
def wait_service_up(ad, path, binary, seconds=120):
    for _ in range(seconds // 2):
        svcs = ad.get(path, params={'binary': binary}).json()['services']
        if any(s.get('state') == 'up' for s in svcs):
            return
        time.sleep(2)
    sys.exit('scs-setup: %s is not up' % binary)



# ----------------------------------------------------------------- flavors ---
# (name, vcpus, ram GiB, disk GB, cpu letter, disk type letter)
MANDATORY = [
    ('SCS-1V-2', 1, 2, 0, 'V', ''), ('SCS-2V-4', 2, 4, 0, 'V', ''),
    ('SCS-4V-8', 4, 8, 0, 'V', ''), ('SCS-8V-16', 8, 16, 0, 'V', ''),
    ('SCS-16V-32', 16, 32, 0, 'V', ''), ('SCS-1V-4', 1, 4, 0, 'V', ''),
    ('SCS-2V-8', 2, 8, 0, 'V', ''), ('SCS-4V-16', 4, 16, 0, 'V', ''),
    ('SCS-8V-32', 8, 32, 0, 'V', ''), ('SCS-1V-8', 1, 8, 0, 'V', ''),
    ('SCS-2V-16', 2, 16, 0, 'V', ''), ('SCS-4V-32', 4, 32, 0, 'V', ''),
    ('SCS-1L-1', 1, 1, 0, 'L', ''), ('SCS-2V-4-20s', 2, 4, 20, 'V', 's'),
    ('SCS-4V-16-100s', 4, 16, 100, 'V', 's'),
]
CPU_TYPE = {'V': 'shared-core', 'L': 'crowded-core',
            'T': 'dedicated-thread', 'C': 'dedicated-core'}
DISK_TYPE = {'s': 'ssd', 'p': 'nvme', 'h': 'hdd', 'n': 'network'}


def scs_specs(name, cpu, disk, disk_letter):
    # v1 name: "-" between the parts becomes ":" (SCS-2V-4-20s -> SCS-2V:4:20s)
    parts = name.split('-')
    specs = {'scs:name-v1': 'SCS-' + ':'.join(parts[1:]),
             'scs:name-v2': name,
             'scs:cpu-type': CPU_TYPE[cpu]}
    if disk:
        specs['scs:disk0-type'] = DISK_TYPE[disk_letter]
    return specs


flavors = {}


def ensure_flavor(name, vcpus, ram_mib, disk, public, specs):
    f = flavors.get(name)
    if f is None:
        f = compute.post('/flavors', json={'flavor': {
            'name': name, 'vcpus': vcpus, 'ram': ram_mib, 'disk': disk,
            'os-flavor-access:is_public': public}}).json()['flavor']
        f['extra_specs'] = {}
        changed('flavor %s created' % name)
    elif (f['vcpus'], f['ram'], f['disk'], f['os-flavor-access:is_public']) != \
            (vcpus, ram_mib, disk, public):
        sys.exit('scs-setup: flavor %s exists with other sizes (%s/%s/%s, public=%s); '
                 'delete it and run again' % (name, f['vcpus'], f['ram'], f['disk'],
                                              f['os-flavor-access:is_public']))
    have = f.get('extra_specs') or {}
    missing = {k: v for k, v in specs.items() if have.get(k) != v}
    if missing:
        compute.post('/flavors/%s/os-extra_specs' % f['id'],
                     json={'extra_specs': missing})
        changed('flavor %s extra specs %s' % (name, sorted(missing)))
    return f


def setup_flavors():
    flavors.update({f['name']: f for f in compute.get(
        '/flavors/detail', params={'is_public': 'None'}).json()['flavors']})
    for name, vcpus, ram, disk, cpu, dl in MANDATORY:
        ensure_flavor(name, vcpus, ram * 1024, disk, True,
                      scs_specs(name, cpu, disk, dl))
    legacy = ensure_flavor('m1.legacy', 2, 4096, 20, False, {})
    access = compute.get('/flavors/%s/os-flavor-access' % legacy['id']).json()['flavor_access']
    if SRC not in [a['tenant_id'] for a in access]:
        compute.post('/flavors/%s/action' % legacy['id'],
                     json={'addTenantAccess': {'tenant': SRC}})
        changed('flavor m1.legacy: access for src')


# ------------------------------------------------------------------- image ---
IMAGE_NAME = 'Ubuntu 24.04'
IMAGE_PROPS = {
    'os_distro': 'ubuntu', 'os_version': '24.04', 'architecture': 'x86_64',
    'os_purpose': 'generic', 'hw_disk_bus': 'scsi',
    'hw_scsi_model': 'virtio-scsi', 'hw_rng_model': 'virtio',
    'image_build_date': '2025-01-15',
    'image_original_user': 'ubuntu',
    'image_source': 'https://cloud-images.ubuntu.com/releases/noble/'
                    'release-20250115/ubuntu-24.04-server-cloudimg-amd64.img',
    'image_description': 'https://ubuntu.com/server/docs',
    'replace_frequency': 'monthly', 'provided_until': 'none',
    'uuid_validity': 'last-3', 'hash_algo': 'sha512',
    'hotfix_hours': '0',
}
IMAGE_MIN = {'min_disk': 1, 'min_ram': 512}
IMAGE_SIZE = 4 * 1024 * 1024


def image_bytes():
    # deterministic, incompressible content: a sha256 counter stream
    out = bytearray()
    seed = b'scs-migrate lab image Ubuntu 24.04 '
    i = 0
    while len(out) < IMAGE_SIZE:
        out += hashlib.sha256(seed + str(i).encode()).digest()
        i += 1
    return bytes(out[:IMAGE_SIZE])


def setup_image():
    imgs = image.get('/v2/images', params={'name': IMAGE_NAME}).json()['images']
    for bad in [i for i in imgs if i['status'] != 'active']:
        image.delete('/v2/images/%s' % bad['id'])
        changed('image %s %s (status %s) deleted' % (IMAGE_NAME, bad['id'], bad['status']))
    imgs = [i for i in imgs if i['status'] == 'active']
    if len(imgs) > 1:
        sys.exit('scs-setup: %d images named %r; delete all but one' % (len(imgs), IMAGE_NAME))
    if not imgs:
        body = dict(IMAGE_PROPS, name=IMAGE_NAME, disk_format='raw',
                    container_format='bare', visibility='public', **IMAGE_MIN)
        img = image.post('/v2/images', json=body).json()
        image.put('/v2/images/%s/file' % img['id'], data=image_bytes(),
                  headers={'Content-Type': 'application/octet-stream'})
        for _ in range(60):
            img = image.get('/v2/images/%s' % img['id']).json()
            if img['status'] == 'active':
                break
            time.sleep(1)
        else:
            sys.exit('scs-setup: image upload did not become active (%s)' % img['status'])
        changed('image %s created (%s)' % (IMAGE_NAME, img['id']))
    else:
        img = imgs[0]
        ops = [{'op': 'replace' if k in img else 'add', 'path': '/' + k, 'value': v}
               for k, v in dict(IMAGE_PROPS, **IMAGE_MIN).items() if img.get(k) != v]
        if img.get('visibility') != 'public':
            ops.append({'op': 'replace', 'path': '/visibility', 'value': 'public'})
        if ops:
            image.patch('/v2/images/%s' % img['id'], data=json.dumps(ops), headers={
                'Content-Type': 'application/openstack-images-v2.1-json-patch'})
            changed('image %s properties %s' % (IMAGE_NAME, [o['path'] for o in ops]))


# ---------------------------------------------------------------- network ---
def setup_network():
    nets = network.get('/v2.0/networks', params={'name': 'public'}).json()['networks']
    if not nets:
        net = network.post('/v2.0/networks', json={'network': {
            'name': 'public', 'router:external': True, 'shared': False,
            'provider:network_type': 'flat', 'provider:physical_network': 'public',
            'is_default': True, 'description': 'default external network'}}).json()['network']
        changed('network public created')
    else:
        net = nets[0]
        upd = {}
        if not net.get('router:external'):
            upd['router:external'] = True
        if net.get('is_default') is not True:
            upd['is_default'] = True
        if upd:
            net = network.put('/v2.0/networks/%s' % net['id'],
                              json={'network': upd}).json()['network']
            changed('network public updated %s' % sorted(upd))
    if net.get('is_default') is not True:
        sys.exit('scs-setup: network public has no is_default=true (%r)' % net.get('is_default'))
    subs = network.get('/v2.0/subnets', params={'network_id': net['id']}).json()['subnets']
    if not subs:
        network.post('/v2.0/subnets', json={'subnet': {
            'name': 'public-subnet', 'network_id': net['id'], 'ip_version': 4,
            'cidr': '203.0.113.0/24', 'gateway_ip': '203.0.113.1',
            'enable_dhcp': False}})
        changed('subnet public-subnet created')


# ------------------------------------------------------------ volume types ---
VOLUME_TYPES = {
    'lab': ('file-backed lab volumes (the default type)', {'volume_backend_name': 'lab'}),
    'ssd': ('[scs:replicated] SSD volumes, three replicas',
            {'volume_backend_name': 'lab'}),
}
def setup_volume_types():
    vtypes = {t['name']: t for t in volume.get('/types').json()['volume_types']}
    for name, (desc, specs) in VOLUME_TYPES.items():
        t = vtypes.get(name)
        if t is None:
            t = volume.post('/types', json={'volume_type': {
                'name': name, 'description': desc, 'os-volume-type-access:is_public': True,
                'extra_specs': specs}}).json()['volume_type']
            changed('volume type %s created' % name)
            continue
        if t.get('description') != desc:
            volume.put('/types/%s' % t['id'], json={'volume_type': {'description': desc}})
            changed('volume type %s description' % name)
        have = t.get('extra_specs') or {}
        missing = {k: v for k, v in specs.items() if have.get(k) != v}
        if missing:
            volume.post('/types/%s/extra_specs' % t['id'], json={'extra_specs': missing})
            changed('volume type %s extra specs %s' % (name, sorted(missing)))


# ------------------------------------------------------------------ quotas ---
NOVA_QUOTA = {'instances': 50, 'cores': 200, 'ram': 512000, 'key_pairs': 100,
              'server_groups': 20, 'server_group_members': 20,
              'metadata_items': 128}
CINDER_QUOTA = {'volumes': 100, 'snapshots': 100, 'gigabytes': 2000}
NEUTRON_QUOTA = {'network': 50, 'subnet': 50, 'port': 500, 'router': 20,
                 'floatingip': 50, 'security_group': 50,
                 'security_group_rule': 500}


def raise_quota(ad, path, key, wanted, label):
    have = ad.get(path).json()[key]
    low = {k: v for k, v in wanted.items()
           if have.get(k) is not None and have[k] != -1 and have[k] < v}
    if low:
        ad.put(path, json={key: low})
        changed('%s quota %s' % (label, low))


def setup_quotas():
    for pname, pid in (('src', SRC), ('dst', DST)):
        if 'nova' in SERVICES:
            raise_quota(compute, '/os-quota-sets/%s' % pid, 'quota_set', NOVA_QUOTA,
                        'nova %s' % pname)
        if 'cinder' in SERVICES:
            raise_quota(volume, '/os-quota-sets/%s' % pid, 'quota_set', CINDER_QUOTA,
                        'cinder %s' % pname)
        if 'neutron' in SERVICES:
            raise_quota(network, '/v2.0/quotas/%s' % pid, 'quota', NEUTRON_QUOTA,
                        'neutron %s' % pname)


# Why: each first call to a service costs ~0.5 s (token validation against a
# one-process keystone), so the independent parts run side by side.
TASKS = [(setup_quotas, ())]
if 'nova' in SERVICES:
    TASKS += [(wait_service_up, (compute, '/os-services', 'nova-compute')),
              (setup_flavors, ())]
if 'cinder' in SERVICES:
    TASKS += [(wait_service_up, (volume, '/os-services', 'cinder-volume')),
              (setup_volume_types, ())]
if 'glance' in SERVICES:
    TASKS.append((setup_image, ()))
if 'neutron' in SERVICES:
    TASKS.append((setup_network, ()))
with concurrent.futures.ThreadPoolExecutor(len(TASKS)) as pool:
    for fut in [pool.submit(fn, *args) for fn, args in TASKS]:
        fut.result()


print('scs-setup: %s' % ('%d change(s)' % len(changes) if changes else 'already in place'),
      file=sys.stderr)
