#!/usr/bin/env bash
# CI for the Debian package (issue 19), on a fresh Debian 12 machine, as root:
#   1. installs the tools (dpkg-dev, lintian, debootstrap, systemd-container, ...)
#   2. builds sluice_<version>_amd64.deb (release build with the Swift runtime linked in; lintian must pass)
#   3. installs it into a clean Debian root and runs it there          (packaging/test-install.sh)
#   4. boots a Debian guest under systemd and tests the service in it  (systemd/boot-test.sh)
# Every step is bounded by `timeout`; the first failure ends the script with a non-zero exit.
# The debootstrap roots are cached in /var/cache/sluice-ci (SLUICE_CI_CACHE) between runs.
#   packaging/ci.sh [--skip-build]     (--skip-build: package the binary already in .build-static)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
t0=$(date +%s)
step() { printf '\n===== packaging ci [%ss]: %s\n' "$(( $(date +%s) - t0 ))" "$*"; }

step "tools"
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get update -qq
timeout 900 apt-get install -y -qq --no-install-recommends \
    dpkg-dev lintian debootstrap systemd-container binutils python3 procps libsqlite3-dev pkg-config >/dev/null

step "build the .deb"
out="$repo/packaging/out"
deb=$(timeout 2400 packaging/build-deb.sh --out "$out" "$@" | tail -n 1)

step "install into a clean Debian root"
timeout 1200 packaging/test-install.sh "$deb"

step "boot test under systemd"
timeout 1800 systemd/boot-test.sh "$deb"

step "done: $deb ($(( $(date +%s) - t0 )) s)"
