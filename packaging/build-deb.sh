#!/usr/bin/env bash
# Builds sluice_<version>_amd64.deb with dpkg-deb from a release build with the Swift runtime linked in.
#
#   packaging/build-deb.sh                     release build (.build-static), then the package, then lintian
#   packaging/build-deb.sh --skip-build        reuse the binary already in .build-static
#   packaging/build-deb.sh --skip-build --version 1.2.3+test1   same binary, another package version
#                                              (how the boot test gets an upgrade to install)
# Options: --binary PATH (package this binary), --out DIR (default packaging/out), --no-lintian,
#          --maintainer "Name <mail>" (or $SLUICE_DEB_MAINTAINER).
# Prints the path of the .deb as its last line.
set -euo pipefail
umask 022  # the modes in the package must not depend on the caller's umask
repo=$(cd "$(dirname "$0")/.." && pwd)
pkg="$repo/packaging/deb"

skip_build=no version="" binary="" out="$repo/packaging/out" lintian=yes
maintainer=${SLUICE_DEB_MAINTAINER:-"Sluice maintainers <sluice-maintainers@users.noreply.github.com>"}
while [ $# -gt 0 ]; do
    case "$1" in
        --skip-build) skip_build=yes ;;
        --version) version=$2; shift ;;
        --binary) binary=$2; skip_build=yes; shift ;;
        --out) out=$2; shift ;;
        --no-lintian) lintian=no ;;
        --maintainer) maintainer=$2; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "build-deb.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
say() { printf '== build-deb: %s\n' "$*" >&2; }

# --- the binary -------------------------------------------------------------------------------------------
cd "$repo"
swift_build=(swift build -c release --static-swift-stdlib --product sluice --scratch-path .build-static)
if [ "$skip_build" = no ]; then
    say "release build (${swift_build[*]})"
    "${swift_build[@]}" >&2
fi
if [ -z "$binary" ]; then binary="$repo/.build-static/release/sluice"; fi
[ -x "$binary" ] || { echo "build-deb.sh: no binary at $binary (build first, or drop --skip-build)" >&2; exit 1; }

# The version: --version, else what the binary says (`sluice 1.2.3 (abc1234)`), else Version.swift.
if [ -z "$version" ]; then
    version=$("$binary" --version 2>/dev/null | awk '$1 == "sluice" { print $2; exit }' || true)
fi
if [ -z "$version" ] && [ -f Sources/sluice/Version.swift ]; then
    version=$(sed -n 's/.*static let number = "\([^"]*\)".*/\1/p' Sources/sluice/Version.swift | head -n 1)
fi
if ! [[ "$version" =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
    echo "build-deb.sh: no usable version ('$version'); the binary has no --version and there is no" \
         "Sources/sluice/Version.swift: pass --version X.Y.Z" >&2
    exit 1
fi

# Timestamps from the commit, so two builds of one commit give the same changelog and man page.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
date_rfc=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
date_man=$(date -u +%Y-%m-%d -d "@$SOURCE_DATE_EPOCH")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
say "staging sluice $version"

# --- files ------------------------------------------------------------------------------------------------
install -D -m 0755 "$binary" "$root/usr/bin/sluice"
# As dh_strip does: the symbol table goes (about half the file); Swift's reflection metadata is in other
# sections and stays. The unstripped binary remains in .build-static for debugging.
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/sluice"

# The unit as the repository has it, with ExecStart at /usr/bin and the header speaking of the package.
install -d "$root/usr/lib/systemd/system"
sed -e 's#/usr/local/bin/sluice#/usr/bin/sluice#g' \
    -e '/^# Sluice as a systemd service/,/^# Local changes belong/c\
# Sluice as a systemd service, installed by the sluice package (see man sluice).\
# Local changes belong in a drop-in (`systemctl edit sluice`), so upgrades can replace this file.' \
    -e 's#^Documentation=.*#Documentation=man:sluice(1) file:/usr/share/doc/sluice/README.md.gz#' \
    -e 's#example job files in jobs/\.#example job files in /usr/share/doc/sluice/examples/.#' \
    "$repo/systemd/sluice.service" > "$root/usr/lib/systemd/system/sluice.service"
grep -q '^ExecStart=/usr/bin/sluice daemon ' "$root/usr/lib/systemd/system/sluice.service" \
    || { echo "build-deb.sh: could not point ExecStart at /usr/bin/sluice" >&2; exit 1; }

install -D -m 0644 "$pkg/jobs-README" "$root/etc/sluice/jobs/README"
install -d -m 0700 "$root/etc/sluice/credentials"

doc="$root/usr/share/doc/sluice"
install -d "$doc/examples"
install -m 0644 "$repo"/jobs/*.yaml "$doc/examples/"
if grep -l '/etc/sluice/secrets' "$doc"/examples/*.yaml >&2; then
    say "WARNING: the example(s) above still say /etc/sluice/secrets/ (the package uses /etc/sluice/credentials/)"
fi
gzip -9n < "$repo/README.md" > "$doc/README.md.gz"
install -m 0644 "$pkg/README.Debian" "$doc/README.Debian"
# A version without a Debian revision makes this a native package, whose changelog is changelog.gz.
printf 'sluice (%s) unstable; urgency=medium\n\n  * Release %s, built from commit %s.\n\n -- %s  %s\n' \
    "$version" "$version" "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "$maintainer" "$date_rfc" | gzip -9n > "$doc/changelog.gz"
"$repo/packaging/copyright.sh" "$repo/.build-static/checkouts" > "$doc/copyright"

install -d "$root/usr/share/man/man1"
sed -e "s/@VERSION@/$version/g" -e "s/@DATE@/$date_man/g" "$pkg/sluice.1" | gzip -9n > "$root/usr/share/man/man1/sluice.1.gz"
"$repo/packaging/check-manpage.sh" "$binary" "$pkg/sluice.1"

# Completions, generated from the argument parser of this very binary.
install -d "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
    "$root/usr/share/fish/vendor_completions.d"
# bash-completion sources its files: a #! line would only mislead (lintian: bash-completion-with-hashbang).
"$binary" --generate-completion-script bash | sed '1{/^#!/d}' > "$root/usr/share/bash-completion/completions/sluice"
"$binary" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_sluice"
"$binary" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/sluice.fish"

install -D -m 0644 "$pkg/lintian-overrides" "$root/usr/share/lintian/overrides/sluice"

# --- control ----------------------------------------------------------------------------------------------
# Depends as Debian computes it: dpkg-shlibdeps maps every library the binary needs (ldd's list) to the
# package that ships it, with the minimum version the used symbols need. It wants a debian/control to read.
mkdir -p "$work/src/debian"
printf 'Source: sluice\n\nPackage: sluice\nArchitecture: amd64\n' > "$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O -e"$root/usr/bin/sluice" 2>"$work/shlibdeps.log" | sed -n 's/^shlibs:Depends=//p') \
    || { cat "$work/shlibdeps.log" >&2; exit 1; }
# The unit's ExecReload= runs /bin/kill, which comes from procps (not in a minimal Debian).
if grep -q '^ExecReload=/bin/kill ' "$root/usr/lib/systemd/system/sluice.service"; then depends="$depends, procps"; fi
[[ "$depends" == *libsqlite3-0* ]] || { echo "build-deb.sh: Depends ('$depends') lacks libsqlite3-0" >&2; exit 1; }

install -d -m 0755 "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<EOF
Package: sluice
Version: $version
Architecture: amd64
Maintainer: $maintainer
Installed-Size: $(du -sk --apparent-size "$root" | cut -f1)
Depends: $depends
Section: database
Priority: optional
Description: pulls SaaS reporting APIs into a local SQLite warehouse
 Sluice is a small daemon that pulls data from SaaS reporting APIs (cursor-paged
 JSON feeds, Workspace ONE Intelligence, Citrix DaaS Monitor, Power BI activity
 events) on a schedule and upserts it into a local SQLite file that BI tools,
 such as Power BI through the SQLite3 ODBC driver, read directly. Every page
 commits together with its checkpoint, so nothing is lost or duplicated, and
 secrets are referenced, never written into job files.
 .
 The systemd unit is installed but not enabled: add job files to
 /etc/sluice/jobs/ first, then run "systemctl enable --now sluice".
EOF
install -m 0644 "$pkg/conffiles" "$root/DEBIAN/conffiles"
install -m 0755 "$pkg/postinst" "$pkg/prerm" "$pkg/postrm" "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
    | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

# --- build and check --------------------------------------------------------------------------------------
mkdir -p "$out"
deb="$out/sluice_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
if [ "$lintian" = yes ]; then
    if command -v lintian >/dev/null; then
        say "lintian"
        # Overridden tags are explained in packaging/deb/lintian-overrides; anything else fails the build.
        lintian --fail-on error,warning --display-level '>=info' "$deb" >&2
    else
        say "lintian not installed; skipped (apt-get install lintian)"
    fi
fi
say "built $deb ($(du -h "$deb" | cut -f1), Depends: $depends)"
echo "$deb"
