#!/bin/sh
# mkdeb.sh ROOT VERSION OUTDIR — turns a `make install DESTDIR=ROOT PREFIX=/usr` tree into
# OUTDIR/oci-logfwd_VERSION_ARCH.deb with dpkg-deb (called by `make deb`).
#
# No debian/ source folder: the control file is written here, Depends comes from the
# binary's real shared libraries (dpkg-shlibdeps), and the maintainer scripts are the
# files next to this one.
set -eu
ROOT=$1
VERSION=$2
OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
PKG=oci-logfwd
ARCH=$(dpkg --print-architecture)
MAINTAINER=${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2>/dev/null || true)}
[ -n "$MAINTAINER" ] || MAINTAINER="oci-logfwd maintainers <root@localhost.invalid>"
BIN="$ROOT/usr/bin/$PKG"
[ -x "$BIN" ] || { echo "mkdeb: $BIN missing (run make deb)" >&2; exit 1; }

# What dh_strip and dh_installman/dh_installdocs would do.
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$BIN"
find "$ROOT/usr/share/man" -type f -name '*.[0-9]' -exec gzip -9nf {} +
DOC="$ROOT/usr/share/doc/$PKG"
install -d -m 0755 "$DOC"
sed "s/@YEAR@/$(date -u +%Y)/" "$HERE/copyright" > "$DOC/copyright"
chmod 0644 "$DOC/copyright"
# A native package's changelog: one entry for this version (the history is git's).
{
	printf '%s (%s) unstable; urgency=medium\n\n' "$PKG" "$VERSION"
	printf '  * Built from git %s.\n\n' "$(git describe --always --dirty 2>/dev/null || echo unknown)"
	printf ' -- %s  %s\n' "$MAINTAINER" "$(date -R -u)"
} | gzip -9n > "$DOC/changelog.gz"
chmod 0644 "$DOC/changelog.gz"


# Depends: dpkg-shlibdeps wants a debian/control to read; give it a minimal one.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PKG" "$PKG" > "$WORK/debian/control"
BIN_ABS=$(cd "$(dirname "$BIN")" && pwd)/$PKG
DEPENDS=$(cd "$WORK" && dpkg-shlibdeps -O -e"$BIN_ABS" 2>"$WORK/shlibdeps.err") || {
	cat "$WORK/shlibdeps.err" >&2; exit 1; }
DEPENDS=${DEPENDS#shlibs:Depends=}
[ -n "$DEPENDS" ] || { echo "mkdeb: dpkg-shlibdeps found no dependency" >&2; exit 1; }

install -d -m 0755 "$ROOT/DEBIAN"
for s in postinst prerm postrm; do
	install -m 0755 "$HERE/$s" "$ROOT/DEBIAN/$s"
done
echo "/etc/$PKG/$PKG.conf" > "$ROOT/DEBIAN/conffiles"
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort |
	xargs md5sum) > "$ROOT/DEBIAN/md5sums"
SIZE=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
cat > "$ROOT/DEBIAN/control" <<CONTROL
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $SIZE
Depends: $DEPENDS
Section: admin
Priority: optional
Description: forwarder of OCI Logging records to SIEM and log HTTP endpoints
 oci-logfwd pulls Oracle Cloud Infrastructure Logging records through the
 SearchLogs API, normalizes audit and VCN flow-log records (ECS, OCSF or raw)
 and pushes them through retrying, rate-limited queues to Datadog, Splunk HEC,
 Elasticsearch/OpenSearch, Loki, any JSON webhook or a file. Checkpoints
 advance only after every sink has acknowledged, so delivery is at least once.
 .
 The service is installed but neither enabled nor started: edit
 /etc/oci-logfwd/oci-logfwd.conf, check it with oci-logfwd -t, then run
 systemctl enable --now oci-logfwd.
CONTROL
chmod 0644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/conffiles" "$ROOT/DEBIAN/md5sums"
# Directories as a package has them, whatever the umask of the build.
find "$ROOT" -type d -exec chmod 0755 {} +
DEB="$OUT/${PKG}_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
echo "$DEB"
