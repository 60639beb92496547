#!/usr/bin/env bash
# Boots a minimal Debian guest under a real systemd (systemd-nspawn -b), installs the sluice .deb in it and
# checks the unit and the daemon's systemd integration end to end: Type=notify start, STATUS=, watchdog, a
# LoadCredential= token, runs that write rows, `sluice status` and `sluice doctor` as an admin runs them,
# reload (new job; broken file keeps the old definition), a clean stop that records the run in flight as
# cancelled, journald priorities, the sandbox exposure, an upgrade that restarts the service and keeps the
# warehouse, and a purge that keeps it too.
#
#   sudo systemd/boot-test.sh packaging/out/sluice_1.2.3_amd64.deb
#
# The upgrade installs the same package repacked as version <version>+boottest. The guest root comes from
# packaging/guest-root.sh (cached under /var/cache/sluice-ci; the first run debootstraps it). Exit: 0 when
# every check passed, 1 otherwise; 0 with a loud SKIPPED banner where systemd-nspawn cannot run here
# (SLUICE_REQUIRE_BOOT_TEST=1 makes that a failure). SLUICE_BOOT_TEST_KEEP=1 keeps the guest folder.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
deb=$(realpath "${1:?usage: boot-test.sh SLUICE_DEB}")
t0=$(date +%s)
log() { printf '[boot-test %4ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
failures=()
pass() { log "PASS: $*"; }
fail() { log "FAIL: $*"; failures+=("$*"); }
skip() {
    printf '\n%s\n  BOOT TEST SKIPPED: %s\n%s\n\n' "$(printf '#%.0s' {1..100})" "$*" "$(printf '#%.0s' {1..100})"
    [ "${SLUICE_REQUIRE_BOOT_TEST:-0}" = 1 ] && exit 1
    exit 0
}

[ "$(id -u)" = 0 ] || skip "needs root (systemd-nspawn)"
for tool in systemd-nspawn nsenter debootstrap dpkg-deb; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (apt-get install systemd-container debootstrap)"
done

# --- the guest root ---------------------------------------------------------------------------------------
# The .deb's own Depends go into the guest (it has no network once booted) and into the cache key.
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/[(|].*//; s/ //g' | grep . | paste -sd, -)
cached=$("$repo/packaging/guest-root.sh" "systemd,systemd-sysv,dbus,python3,sqlite3,$depends")
work=$(mktemp -d /var/tmp/sluice-boot-test.XXXXXX)
guest_root="$work/guest"
cgroups=()
nspawn_pid=""
pid1=""

cleanup() {
    local rc=$?
    trap '' INT TERM  # a second signal must not cut the cleanup short
    set +e
    if [ -n "$pid1" ] && kill -0 "$pid1" 2>/dev/null; then
        if [ ${#failures[@]} -gt 0 ] || [ $rc -ne 0 ]; then
            log "last journal lines of sluice in the guest:"
            timeout 20 nsenter -t "$pid1" -a journalctl -u sluice --no-pager -n 40 -o short-monotonic 2>&1 | sed 's/^/    /' || true
        fi
        timeout 20 nsenter -t "$pid1" -a systemctl poweroff >/dev/null 2>&1 || true
    fi
    # A powered-off guest ends nspawn; otherwise TERM nspawn, and finally KILL the guest's PID 1, which
    # takes every process of its PID namespace with it. nspawn's mounts live in its own mount namespace.
    if [ -n "$nspawn_pid" ]; then
        timeout 30 tail --pid="$nspawn_pid" -f /dev/null || kill -TERM "$nspawn_pid" 2>/dev/null || true
        timeout 15 tail --pid="$nspawn_pid" -f /dev/null || { kill -KILL "$pid1" "$nspawn_pid" 2>/dev/null || true; }
        timeout 10 tail --pid="$nspawn_pid" -f /dev/null || true
    fi
    # nspawn leaves empty payload/ and supervisor/ cgroups behind; remove the tree from the leaves up.
    for dir in "${cgroups[@]}"; do find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
    if [ "${SLUICE_BOOT_TEST_KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "copying the guest root $cached"
cp -a "$cached" "$guest_root"
version=$(dpkg-deb -f "$deb" Version)
install -d "$guest_root/root/debs"
cp "$deb" "$guest_root/root/debs/sluice.deb"
# The upgrade: the same files repacked with a higher version, as a rebuilt package would be.
dpkg-deb -R "$deb" "$work/repack"
sed -i "s/^Version: .*/Version: $version+boottest/" "$work/repack/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip -z1 --build "$work/repack" "$guest_root/root/debs/sluice-upgrade.deb" >/dev/null

# The feed the jobs read, as a guest service on 127.0.0.1:8080 (the guest has loopback only).
install -D -m 0755 "$repo/packaging/test/feed-server.py" "$guest_root/usr/local/lib/sluice-test/feed-server.py"
cat > "$guest_root/etc/systemd/system/sluice-test-feed.service" <<'EOF'
[Unit]
Description=boot test feed for sluice
[Service]
ExecStart=/usr/bin/python3 /usr/local/lib/sluice-test/feed-server.py 8080 /etc/sluice/credentials/feed_token
[Install]
WantedBy=multi-user.target
EOF
ln -s ../sluice-test-feed.service "$guest_root/etc/systemd/system/multi-user.target.wants/sluice-test-feed.service"
# apt's timers would only hold the dpkg lock at the wrong moment.
ln -s /dev/null "$guest_root/etc/systemd/system/apt-daily.timer"
ln -s /dev/null "$guest_root/etc/systemd/system/apt-daily-upgrade.timer"

# --- boot -------------------------------------------------------------------------------------------------
# nspawn runs in a cgroup of its own (it will not set up the guest from the root cgroup), and the guest gets
# a pure cgroup v2 hierarchy even on a hybrid host. No systemd and no D-Bus on the host: --register=no
# --keep-unit. --private-network: the guest has only its own loopback.
if [ -d /sys/fs/cgroup/unified ]; then           # hybrid: v2 at unified/, plus the name=systemd v1 tree
    cgroups=(/sys/fs/cgroup/unified/sluice-boot-test-$$ /sys/fs/cgroup/systemd/sluice-boot-test-$$)
elif [ -f /sys/fs/cgroup/cgroup.procs ]; then   # pure cgroup v2
    cgroups=(/sys/fs/cgroup/sluice-boot-test-$$)
fi
[ ${#cgroups[@]} -eq 0 ] || mkdir -p "${cgroups[@]}"
boot_guest() {
    for dir in "${cgroups[@]}"; do echo "$BASHPID" > "$dir/cgroup.procs"; done
    export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
    # setsid: a signal to this script's process group (Ctrl-C, timeout) must not reach nspawn directly;
    # the cleanup powers the guest off instead.
    exec setsid systemd-nspawn "$@" -D "$guest_root" -M sluice-guest --register=no --keep-unit --private-network \
        --console=read-only
}
log "booting the guest"
(boot_guest -b < /dev/null > "$work/console.log" 2>&1) &
nspawn_pid=$!
# The guest's PID 1 is the child of nspawn that is PID 1 of a new PID namespace (NSpid: <host pid> 1); for
# a moment nspawn has another child, which sets it up and exits.
guest_init() {
    local child
    for child in $(pgrep -P "$nspawn_pid"); do
        if grep -qE '^NSpid:\s+[0-9]+\s+1$' "/proc/$child/status" 2>/dev/null; then echo "$child"; return 0; fi
    done
    return 1
}
for _ in $(seq 100); do
    pid1=$(guest_init || true)
    [ -n "$pid1" ] && break
    kill -0 "$nspawn_pid" 2>/dev/null || break
    sleep 0.3
done
if [ -z "$pid1" ]; then
    tail -n 20 "$work/console.log"
    skip "systemd-nspawn could not boot a guest here (console log above)"
fi

guest() {  # a command in the guest, bounded, with a clean environment
    timeout "${T:-60}" nsenter -t "$pid1" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        SYSTEMD_PAGER=cat SYSTEMD_COLORS=0 DEBIAN_FRONTEND=noninteractive "$@" < /dev/null
}
wait_for() {  # wait_for SECONDS COMMAND...: true as soon as COMMAND succeeds, false after SECONDS
    local until=$(( $(date +%s) + $1 )); shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$until" ] || return 1
        sleep 0.5
    done
}
prop() { guest systemctl show -p "$1" --value sluice.service; }
sql() { guest sqlite3 -readonly -cmd '.timeout 5000' /var/lib/sluice/warehouse.db "$1"; }
last_run() { sql "SELECT status FROM sluice_runs WHERE job = '$1' ORDER BY run_id DESC LIMIT 1"; }
is() { [ "$("${@:2}")" = "$1" ]; }       # is EXPECTED COMMAND...: the command prints exactly EXPECTED

# `is-system-running --wait` fails at once while PID 1 has not opened its socket yet: wait for that first.
wait_for 60 guest test -S /run/systemd/private || true
state=$(T=120 guest systemctl is-system-running --wait || true)
case "$state" in
    running|degraded) log "guest is up ($state) after $(( $(date +%s) - t0 )) s" ;;
    *) tail -n 30 "$work/console.log"; log "FAIL: the guest did not boot ($state)"; exit 1 ;;
esac
[ "$state" = running ] || guest systemctl --failed --no-legend | sed 's/^/    failed unit: /'

# --- install ----------------------------------------------------------------------------------------------
log "apt-get install ./sluice.deb ($version)"
if out=$(T=180 guest apt-get install -y --no-install-recommends /root/debs/sluice.deb 2>&1); then
    pass "the package installs"
else
    printf '%s\n' "$out" | tail -n 20; fail "apt-get install failed"; exit 1
fi
grep -q 'not enabled or started' <<<"$out" && pass "postinst says the service is not enabled" || fail "no postinst message about enabling"
is disabled guest systemctl is-enabled sluice && is inactive guest systemctl is-active sluice \
    && pass "first install leaves sluice disabled and stopped" || fail "first install enabled or started sluice"
# (/lib is /usr/lib on bookworm; systemd names the first in its search path)
is no prop NeedDaemonReload && [[ "$(prop FragmentPath)" =~ ^(/usr)?/lib/systemd/system/sluice.service$ ]] \
    && pass "unit loaded from /usr/lib/systemd/system, no daemon-reload pending" || fail "unit not loaded cleanly"
is 700 guest stat -c %a /etc/sluice/credentials && pass "/etc/sluice/credentials is 0700" || fail "/etc/sluice/credentials mode"

# --- jobs, credential, drop-in, start ---------------------------------------------------------------------
printf 's3cret-boot-token\n' > "$guest_root/etc/sluice/credentials/feed_token"
chmod 600 "$guest_root/etc/sluice/credentials/feed_token"
job() {  # job NAME DATASET PAGE_SIZE [EXTRA YAML]
    printf 'schedule: "every 1h"\n%ssource:\n  type: cursor-feed\n  base_url: http://127.0.0.1:8080/feed\n  dataset: %s\n  token: { credential: feed_token }\n  page_size: %s\n' \
        "${4:-}" "$2" "$3" > "$guest_root/etc/sluice/jobs/$1.yaml"
}
job orders orders 5
job denied forbidden 5 $'http:\n  max_attempts: 1\n'
install -d "$guest_root/etc/systemd/system/sluice.service.d"
# WatchdogSec=10s: pings every 5 s, so the test sees them, and a daemon that stopped pinging is killed.
printf '[Service]\nLoadCredential=feed_token:/etc/sluice/credentials/feed_token\nWatchdogSec=10s\n' \
    > "$guest_root/etc/systemd/system/sluice.service.d/boot-test.conf"
guest systemctl daemon-reload
wait_for 20 guest bash -c '</dev/tcp/127.0.0.1/8080' || fail "the test feed does not listen"

log "systemctl enable --now sluice"
if T=90 guest systemctl enable --now sluice; then
    is "notify active running" echo "$(prop Type) $(prop ActiveState) $(prop SubState)" \
        && pass "start reached active through Type=notify (READY=1)" || fail "state after start: $(prop Type) $(prop ActiveState) $(prop SubState)"
else
    fail "systemctl enable --now sluice failed"; exit 1
fi
main_pid=$(prop MainPID || true)
first_ping=$(prop WatchdogTimestampMonotonic || true)  # set when the watchdog starts, at READY=1
wait_for 30 is succeeded last_run orders && pass "a run succeeded with the LoadCredential= token" \
    || fail "orders run: '$(last_run orders)'"
is 15 sql "SELECT count(*) FROM orders" && is 15 sql "SELECT rows_written FROM sluice_runs WHERE job='orders' ORDER BY run_id DESC LIMIT 1" \
    && pass "the run wrote 15 rows" || fail "orders has $(sql 'SELECT count(*) FROM orders' 2>&1) rows"
wait_for 30 is failed last_run denied && pass "a 403 feed fails its run" || fail "denied run: '$(last_run denied)'"
# The admin's view, as systemd/README.md documents it (root, through the /var/lib/sluice symlink).
# `status` exits 1 while a job is failing (the 403 feed is), so the exit code is part of the check.
rc=0; out=$(guest sluice status --jobs /etc/sluice/jobs --warehouse /var/lib/sluice/warehouse.db 2>&1) || rc=$?
[ "$rc" = 1 ] && grep -q orders <<<"$out" && grep -q denied <<<"$out" \
    && pass "sluice status --warehouse /var/lib/sluice/warehouse.db works as root (exit 1: one job failing)" \
    || { printf '%s\n' "$out" | tail -n 8 | sed 's/^/    /'; fail "sluice status on the service's warehouse (exit $rc)"; }
# The admin's preflight as the README runs it (root, the credentials where the install steps keep them), once the
# service has made /var/lib/sluice (StateDirectory=; before the first start the folder does not exist, which
# doctor rightly calls a ✘): the working job and the service's warehouse pass, the 403 feed is named.
doctor() { guest env CREDENTIALS_DIRECTORY=/etc/sluice/credentials sluice doctor "$@" --jobs /etc/sluice/jobs \
    --warehouse /var/lib/sluice/warehouse.db 2>&1; }
out=$(doctor orders) && pass "sluice doctor passes the working job and the service's warehouse" \
    || { printf '%s\n' "$out" | sed 's/^/    /'; fail "sluice doctor reports problems"; }
code=0; out=$(doctor denied) || code=$?
[ "$code" = 1 ] && grep -q '✘ first page .*HTTP 403' <<<"$out" && pass "sluice doctor names the 403 feed (exit 1)" \
    || { printf '%s\n' "$out" | sed 's/^/    /'; fail "sluice doctor on the 403 feed: exit $code"; }
status_re='^(idle|running [a-z0-9_, -]+)(; next [a-z0-9_-]+ [0-9T:Z-]+)?; [0-9]+ jobs?, [0-9]+ failing$'
status() { prop StatusText; }
status_is() { local s; s=$(status); [[ $s =~ $status_re && $s == *"$1"* ]]; }
wait_for 20 status_is "2 jobs, 1 failing" && pass "STATUS= says: $(status)" || fail "STATUS= text: '$(status)'"

# --- journald priorities ----------------------------------------------------------------------------------
if guest journalctl -u sluice -p err --no-pager -o cat | grep -q denied; then
    pass "journalctl -p err shows the failed run"
elif guest journalctl -u sluice --no-pager -o cat | grep -q 'denied'; then
    fail "the failed run is in the journal, but not at priority err (no <3> prefix on the line?)"
else
    fail "the failed run is not in the journal"
fi

# --- reload -----------------------------------------------------------------------------------------------
job slow slow 2
guest systemctl reload sluice || fail "systemctl reload failed"
wait_for 30 is running last_run slow && wait_for 20 status_is "3 jobs" \
    && pass "reload picked up a new job (it is running: $(status))" || fail "after reload: slow '$(last_run slow)', STATUS '$(status)'"

cp "$guest_root/etc/sluice/jobs/orders.yaml" "$work/orders.yaml"
printf 'tokn: oops\n' >> "$guest_root/etc/sluice/jobs/orders.yaml"
since=$(guest date '+%Y-%m-%d %H:%M:%S' || true)
guest systemctl reload sluice || fail "systemctl reload (broken file) failed"
broken() { guest journalctl -u sluice --since "$since" --no-pager -o cat | grep -q 'previous definition stays in force'; }
wait_for 20 broken && is active guest systemctl is-active sluice && wait_for 20 status_is "3 jobs" \
    && pass "a broken job file is logged and its job keeps the old definition" || fail "broken job file: STATUS '$(status)'"
cp "$work/orders.yaml" "$guest_root/etc/sluice/jobs/orders.yaml"
guest systemctl reload sluice || fail "systemctl reload (repaired file) failed"

# --- sandbox, watchdog ------------------------------------------------------------------------------------
exposure=$(guest systemd-analyze security --no-pager sluice.service | sed -n 's/.*Overall exposure level for sluice.service: \([0-9.]*\).*/\1/p' || true)
awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }' && pass "systemd-analyze security: exposure $exposure" \
    || fail "exposure '$exposure' is above 2.0"
pinged() { [ "$(prop WatchdogTimestampMonotonic)" -gt "${first_ping:-0}" ]; }
wait_for 15 pinged && is "$main_pid 0" echo "$(prop MainPID) $(prop NRestarts)" \
    && pass "watchdog pings arrive (WatchdogSec=10s), no restarts" || fail "watchdog: MainPID $(prop MainPID) (was $main_pid), NRestarts $(prop NRestarts)"

# --- stop with a run in flight ----------------------------------------------------------------------------
is running last_run slow || fail "slow is not running before the stop ('$(last_run slow)')"
stop_start=$(date +%s)
T=60 guest systemctl stop sluice || true
stop_took=$(( $(date +%s) - stop_start ))
is "inactive success 0" echo "$(prop ActiveState) $(prop Result) $(prop ExecMainStatus)" \
    && pass "systemctl stop ends inactive (not failed), exit 0, in $stop_took s" \
    || fail "after stop: $(prop ActiveState) $(prop Result) status $(prop ExecMainStatus)"
is cancelled last_run slow && pass "the run in flight is recorded cancelled" || fail "slow run after stop: '$(last_run slow)'"
is 0 sql "SELECT count(*) FROM sluice_runs WHERE status = 'running'" || fail "runs left 'running' after the stop"

# --- upgrade ----------------------------------------------------------------------------------------------
T=180 guest apt-get install -y --reinstall /root/debs/sluice.deb >/dev/null 2>&1 || fail "reinstall failed"
is inactive guest systemctl is-active sluice && pass "reinstalling while stopped leaves it stopped" || fail "reinstall started sluice"
T=90 guest systemctl start sluice || fail "start after stop failed"
wait_for 30 is running last_run slow || true
before_pid=$(prop MainPID || true)
before_runs=$(sql "SELECT count(*) FROM sluice_runs" || echo 0)
log "upgrade to $version+boottest"
T=180 guest apt-get install -y /root/debs/sluice-upgrade.deb >/dev/null 2>&1 || fail "upgrade failed"
is "$version+boottest" guest dpkg-query -W -f '${Version}' sluice || fail "upgrade did not install $version+boottest"
wait_for 30 is active guest systemctl is-active sluice || true
after_pid=$(prop MainPID || true)
[ "$after_pid" != "$before_pid" ] && [ "$after_pid" != 0 ] && is active guest systemctl is-active sluice \
    && pass "the upgrade restarted the running service (PID $before_pid -> $after_pid)" || fail "upgrade restart: PID $before_pid -> $after_pid"
is 15 sql "SELECT count(*) FROM orders" && [ "$(sql 'SELECT count(*) FROM sluice_runs')" -ge "$before_runs" ] \
    && pass "the warehouse survived the upgrade" || fail "warehouse after upgrade"

# --- purge ------------------------------------------------------------------------------------------------
T=180 guest apt-get purge -y sluice >/dev/null 2>&1 || fail "purge failed"
is inactive guest systemctl is-active sluice || fail "sluice still active after purge"
guest test -f /var/lib/private/sluice/warehouse.db && guest test ! -e /usr/lib/systemd/system/sluice.service \
    && guest test ! -e /etc/systemd/system/multi-user.target.wants/sluice.service && guest test ! -e /etc/sluice/jobs/README \
    && pass "purge removed the package and its enable link, and kept the warehouse" || fail "state after purge"

log "took $(( $(date +%s) - t0 )) s"
if [ ${#failures[@]} -gt 0 ]; then
    log "${#failures[@]} check(s) failed:"; printf '    - %s\n' "${failures[@]}"
    exit 1
fi
log "all checks passed"
