#!/usr/bin/env bash
# Checks systemd/sluice.service (CI and by hand):
#  1. `systemd-analyze verify` on a temporary copy whose ExecStart names an executable that exists here
#     (a build machine has no /usr/local/bin/sluice). Only messages about the unit file itself fail the
#     check: inside a container, verify may also complain about the host (no systemd as PID 1), which says
#     nothing about the unit.
#  2. `systemd-analyze security --offline=true`: prints the exposure and fails above 2.0.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unit="$tmp/sluice.service"
sed "s#^ExecStart=/usr/local/bin/sluice #ExecStart=$(command -v true) #" "$here/sluice.service" > "$unit"

output=$(systemd-analyze verify "$unit" 2>&1)
problems=$(printf '%s\n' "$output" | grep -F "$unit" || true)
if [ -n "$problems" ]; then
    printf '%s\n' "$problems"
    echo "systemd-analyze verify found problems in systemd/sluice.service"
    exit 1
fi
if [ -n "$output" ]; then
    echo "systemd-analyze verify (messages not about the unit, ignored):"
    printf '  %s\n' "$output"
fi
echo "systemd-analyze verify: systemd/sluice.service OK"

summary=$(systemd-analyze security --offline=true "$unit" 2>&1 | grep -F "Overall exposure level")
echo "${summary/$unit/systemd/sluice.service}"
exposure=$(printf '%s\n' "$summary" | grep -oE ': [0-9]+(\.[0-9]+)?' | tr -d ': ')
if [ -z "$exposure" ] || ! awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
    echo "systemd exposure '${exposure}' is above the 2.0 target"
    exit 1
fi
