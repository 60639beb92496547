#!/usr/bin/env bash
# Prints /usr/share/doc/sluice/copyright: packaging/deb/copyright.head, then, for every Swift package linked
# into /usr/bin/sluice (the checkouts of the release build), its license (Apache-2.0 by reference to
# /usr/share/common-licenses, anything else in full) and its NOTICE file. Generated so that a new dependency
# cannot be shipped without its license.
#   packaging/copyright.sh .build-static/checkouts > copyright
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkouts=${1:?usage: copyright.sh CHECKOUTS_DIR}
# Packages used only by other products (sluice-bench), not linked into sluice.
not_linked=" CSV.swift "

cat "$here/deb/copyright.head"
found=0
for dir in "$checkouts"/*/; do
    name=$(basename "$dir")
    case "$not_linked" in *" $name "*) continue ;; esac
    license=$(find "$dir" -maxdepth 1 -iname 'LICENSE*' -print -quit)
    [ -n "$license" ] || { echo "copyright.sh: $name has no LICENSE file; cannot ship it" >&2; exit 1; }
    # The upstream address from Package.resolved (the checkout's own remote may be a local mirror).
    url=$(grep -iA2 "\"identity\" : \"$name\"" "$here/../Package.resolved" 2>/dev/null \
        | sed -n 's/.*"location" : "\(.*\)".*/\1/p')
    rev=$(git -C "$dir" describe --tags --always 2>/dev/null || echo "")
    printf '\n%s %s (%s)\n%s\n' "$name" "$rev" "$url" "$(printf '%*s' $(( ${#name} + ${#rev} + ${#url} + 4 )) '' | tr ' ' '-')"
    if grep -q 'Apache License' "$license" && grep -q 'Version 2.0' "$license"; then
        echo "License: Apache-2.0 (/usr/share/common-licenses/Apache-2.0)"
    else
        echo "License:"
        sed 's/^/    /' "$license"
    fi
    notice=$(find "$dir" -maxdepth 1 -iname 'NOTICE*' -print -quit)
    if [ -n "$notice" ]; then
        echo "NOTICE:"
        sed 's/^/    /' "$notice"
    fi
    # Vendored C code that carries its own license (swift-nio's llhttp).
    for vendored in "$dir"Sources/*/LICENSE*; do
        [ -f "$vendored" ] || continue
        echo "License of ${vendored#"$dir"}:"
        sed 's/^/    /' "$vendored"
    done
    found=$((found + 1))
done
[ "$found" -gt 0 ] || { echo "copyright.sh: no checkouts in $checkouts (build first)" >&2; exit 1; }
