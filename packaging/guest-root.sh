#!/usr/bin/env bash
# Prints the path of a cached minimal Debian bookworm root (debootstrap --variant=minbase) with the given
# extra packages, making it first when it is not cached yet (about a minute with network; then instant).
#   packaging/guest-root.sh                           the plain root (the clean-install test)
#   packaging/guest-root.sh systemd,python3,...       with those packages (the boot test's guest)
# The cache is keyed by the package list; treat a cached root as read-only and copy it (cp -a) to use it.
# Environment: SLUICE_CI_CACHE (default /var/cache/sluice-ci), SLUICE_CI_MIRROR (default deb.debian.org).
set -euo pipefail
include=${1:-}
cache=${SLUICE_CI_CACHE:-/var/cache/sluice-ci}
mirror=${SLUICE_CI_MIRROR:-http://deb.debian.org/debian}
suite=bookworm

key=$(printf '%s %s %s\n' "$suite" "$include" "$(dpkg-query -W -f '${Version}' debootstrap)" | sha256sum | cut -c1-12)
root="$cache/roots/$suite-$key"
mkdir -p "$cache/roots" "$cache/debs"

# One debootstrap at a time per cache; a second caller waits, then finds the root made.
exec 9>"$cache/.lock"
timeout 900 flock 9 || { echo "guest-root.sh: waited 15 min for $cache/.lock" >&2; exit 1; }

if [ ! -f "$root/.sluice-ci-complete" ]; then
    # Made in a temporary folder and renamed at the end, so an interrupted debootstrap never leaves a root
    # that looks complete. Downloaded .debs are shared between roots (--cache-dir).
    tmp="$cache/roots/.tmp-$key"
    rm -rf "$tmp" "$root"
    echo "guest-root.sh: debootstrap $suite${include:+ with $include} (not cached yet; a few minutes)" >&2
    start=$(date +%s)
    if ! timeout 1200 debootstrap --variant=minbase ${include:+--include="$include"} \
            --cache-dir="$cache/debs" "$suite" "$tmp" "$mirror" > "$cache/roots/debootstrap-$key.log" 2>&1; then
        tail -n 30 "$cache/roots/debootstrap-$key.log" >&2
        echo "guest-root.sh: debootstrap failed (log: $cache/roots/debootstrap-$key.log)" >&2
        rm -rf "$tmp"
        exit 1
    fi
    rm -rf "$tmp/var/cache/apt/archives"/*.deb "$tmp/var/lib/apt/lists"/*_Packages
    echo "$suite ${include:-minbase}" > "$tmp/.sluice-ci-complete"
    mv "$tmp" "$root"
    echo "guest-root.sh: made $root in $(( $(date +%s) - start )) s" >&2
fi
# Roots whose package list is no longer asked for (a changed Depends:) go after two weeks unused.
touch "$root/.sluice-ci-complete"
for old in "$cache"/roots/*/.sluice-ci-complete; do
    if [ "$old" != "$root/.sluice-ci-complete" ] && [ -n "$(find "$old" -mtime +14)" ]; then rm -rf "$(dirname "$old")"; fi
done
echo "$root"
