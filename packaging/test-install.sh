#!/usr/bin/env bash
# Installs the .deb into a clean minimal Debian root (debootstrap minbase and nothing else) with
# `apt-get install ./sluice_….deb`, so apt brings in exactly what Depends: names, then runs the binary there.
# A library missing from Depends makes `sluice --version` fail to load. Also checks the files the package
# promises, and that purge keeps the warehouse unless SLUICE_PURGE_WAREHOUSE=yes. Needs root and network
# (apt fetches the dependencies from the mirror).
#   sudo packaging/test-install.sh packaging/out/sluice_1.2.3_amd64.deb
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
deb=$(realpath "${1:?usage: test-install.sh SLUICE_DEB}")
[ "$(id -u)" = 0 ] || { echo "test-install.sh: needs root (debootstrap, systemd-nspawn)" >&2; exit 1; }
t0=$(date +%s)
log() { printf '[install-test %3ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }

cached=$("$repo/packaging/guest-root.sh")
work=$(mktemp -d /var/tmp/sluice-install-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a "$cached" "$work/root"
cp "$deb" "$work/root/root/sluice.deb"
cp /etc/resolv.conf "$work/root/etc/resolv.conf"

# Everything below runs inside the root (systemd-nspawn without -b: no init, the host's network). No systemd
# runs there, so the maintainer scripts take their no-systemd paths; the boot test covers the others.
cat > "$work/root/root/check.sh" <<'EOF'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
fail() { echo "FAIL: $*"; exit 1; }
dpkg-query -W libsqlite3-0 >/dev/null 2>&1 && fail "the clean root already has libsqlite3-0"
timeout 300 apt-get update -qq
timeout 300 apt-get install -y -qq --no-install-recommends /root/sluice.deb > /tmp/apt.log 2>&1 || { cat /tmp/apt.log; fail "apt-get install"; }
grep -q 'not enabled or started' /tmp/apt.log || fail "no postinst message"
echo "installed: $(dpkg-query -W -f '${Package} ${Version}' sluice), Depends: $(dpkg-query -W -f '${Depends}' sluice)"
if ldd /usr/bin/sluice | grep 'not found'; then fail "libraries missing (Depends incomplete)"; fi
version=$(sluice --version) || fail "sluice --version"
echo "sluice --version: $version"
[[ "$version" =~ ^sluice\ [0-9][^\ ]*\ \(.+\)$ ]] || fail "unexpected --version output"
for f in /usr/bin/sluice /usr/lib/systemd/system/sluice.service /etc/sluice/jobs/README \
         /usr/share/man/man1/sluice.1.gz /usr/share/doc/sluice/copyright /usr/share/doc/sluice/README.Debian \
         /usr/share/bash-completion/completions/sluice /usr/share/zsh/vendor-completions/_sluice \
         /usr/share/fish/vendor_completions.d/sluice.fish; do
    [ -s "$f" ] || fail "missing $f"
done
ls /usr/share/doc/sluice/examples/*.yaml >/dev/null || fail "no examples"
[ "$(stat -c %a /etc/sluice/credentials)" = 700 ] || fail "/etc/sluice/credentials is not 0700"
grep -q '^ExecStart=/usr/bin/sluice daemon ' /usr/lib/systemd/system/sluice.service || fail "ExecStart"
[ "$(dpkg-query -W -f '${Conffiles}' sluice | awk '{print $1}' | xargs)" = /etc/sluice/jobs/README ] || fail "conffiles"
sluice validate --jobs /usr/share/doc/sluice/examples > /tmp/validate.log 2>&1 || { cat /tmp/validate.log; fail "the examples do not validate"; }
echo "the shipped examples validate"

# The warehouse outlives remove and purge; SLUICE_PURGE_WAREHOUSE=yes deletes it.
mkdir -p /var/lib/private/sluice && ln -sfn private/sluice /var/lib/sluice && echo data > /var/lib/private/sluice/warehouse.db
apt-get purge -y -qq sluice > /tmp/purge.log 2>&1 || { cat /tmp/purge.log; fail "purge"; }
[ -f /var/lib/sluice/warehouse.db ] || fail "purge deleted the warehouse"
[ ! -e /etc/sluice/jobs/README ] && [ ! -e /usr/bin/sluice ] || fail "purge left package files"
grep -q 'kept the warehouse' /tmp/purge.log || fail "purge did not say it kept the warehouse"
apt-get install -y -qq /root/sluice.deb > /dev/null 2>&1 || fail "reinstall"
SLUICE_PURGE_WAREHOUSE=yes apt-get purge -y -qq sluice > /dev/null 2>&1 || fail "purge with SLUICE_PURGE_WAREHOUSE=yes"
[ ! -e /var/lib/sluice ] && [ ! -e /var/lib/private/sluice ] || fail "SLUICE_PURGE_WAREHOUSE=yes kept the warehouse"
echo "purge keeps the warehouse; SLUICE_PURGE_WAREHOUSE=yes removes it"
EOF

log "installing $(basename "$deb") into a clean bookworm root"
# --console=pipe and no stdin: nothing in there may wait for a terminal (a process in a background process
# group, as `timeout` makes, would stop on reading one).
if timeout 900 systemd-nspawn -q -D "$work/root" --register=no --keep-unit --resolv-conf=off --console=pipe \
        bash /root/check.sh < /dev/null 2> >(grep -v 'Attempted to remove disk file system' >&2); then
    log "PASS: clean-root install, Depends complete, sluice --version runs"
else
    log "FAIL: clean-root install test"
    exit 1
fi
