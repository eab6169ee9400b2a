#!/usr/bin/env bash
# make deb, then the package on this machine, as an SRE would use it:
#   1. the file is build/oci-logfwd_<version>_<arch>.deb, version from conf/deb/version.sh
#      (git describe, 0.1.0 without a tag), never a hash
#   2. Depends covers every shared library the binary really needs (each NEEDED soname's
#      Debian package is listed), lintian reports no error
#   3. dpkg -i: files where Debian puts them, the config a conffile, dpkg -V clean,
#      -V prints the package version, the unit passes systemd-analyze verify, the
#      service is neither enabled nor started, the man pages are found by man -w
#   4. the shipped config, its placeholders filled in, passes -t
#   5. an upgrade (same package, higher version) keeps the edited config
#   6. dpkg -P removes everything, the config and the checkpoints included
# Needs root (dpkg -i); leaves the machine as it found it.
set -u
BUILD="${BUILD:-build}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PKG=oci-logfwd
[ "$(id -u)" -eq 0 ] || { echo "skip: dpkg -i needs root"; exit 77; }
for t in dpkg-deb dpkg-shlibdeps lintian systemd-analyze man; do
	command -v "$t" >/dev/null || { echo "skip: $t missing (make deps installs it)"; exit 77; }
done
# Never touch an installation that is not ours.
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q installed; then
	echo "skip: $PKG is already installed on this machine; not touching it"; exit 77
fi
if [ -e /etc/oci-logfwd/oci-logfwd.conf ]; then
	echo "skip: /etc/oci-logfwd/oci-logfwd.conf exists (make install?); not touching it"; exit 77
fi
# dpkg -P removes the checkpoints: never run where a real daemon keeps some.
for d in /var/lib/oci-logfwd /var/lib/private/oci-logfwd; do
	[ ! -e "$d" ] || { echo "skip: $d exists (checkpoints of a real daemon?); not touching it"; exit 77; }
done
T="$(mktemp -d /tmp/it-deb.XXXXXX)"
INSTALLED=0
MADE_PRIVATE=0
cleanup() {
	[ "$INSTALLED" = 1 ] && dpkg -P "$PKG" >/dev/null 2>&1
	rm -rf "$T" /var/lib/private/oci-logfwd
	[ "$MADE_PRIVATE" = 0 ] || rmdir /var/lib/private 2>/dev/null
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. Build.  MAKEFLAGS of an outer make (e.g. make asan's SANITIZE=1) must not leak in.
cd "$ROOT"
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s BUILD="$BUILD" deb >"$T/make.out" 2>&1 ||
	{ cat "$T/make.out"; fail "make deb failed"; }
VERSION=$(sh conf/deb/version.sh)
ARCH=$(dpkg --print-architecture)
DEB="$BUILD/${PKG}_${VERSION}_${ARCH}.deb"
[ -f "$DEB" ] || fail "$DEB not built (make deb said: $(cat "$T/make.out"))"
echo "$VERSION" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+([~][0-9A-Za-z.]+)?(\+git[0-9]+)?$' ||
	fail "version \"$VERSION\" is not X.Y.Z[+gitN]"
[ "$(dpkg-deb -f "$DEB" Version)" = "$VERSION" ] || fail "control Version differs"
if ! git describe --tags --match 'v[0-9]*' >/dev/null 2>&1; then
	[ "$VERSION" = 0.1.0 ] || fail "no tag, but version $VERSION (want 0.1.0)"
fi
echo "ok 1: $DEB"

# 2. Depends: each library the binary needs maps to a package named in Depends.
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
mkdir -p "$T/x"
dpkg-deb -x "$DEB" "$T/x"
objdump -p "$T/x/usr/bin/$PKG" | awk '$1 == "NEEDED" { print $2 }' >"$T/needed"
[ -s "$T/needed" ] || fail "no NEEDED entries in the binary"
while read -r so; do
	path=$(ldconfig -p | awk -v so="$so" '$1 == so { print $NF; exit }')
	[ -n "$path" ] || fail "$so not found by ldconfig"
	owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
	[ -n "$owner" ] || owner=$(dpkg -S "$path" | head -n 1 | cut -d: -f1)
	echo "$DEPENDS" | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qx "$owner" ||
		fail "$so is in package $owner, which Depends ($DEPENDS) does not name"
done <"$T/needed"
lintian "$DEB" >"$T/lintian" 2>&1
if grep -q '^E:' "$T/lintian"; then cat "$T/lintian"; fail "lintian reports errors"; fi
echo "ok 2: Depends: $DEPENDS; lintian: $(grep -c '^[WI]:' "$T/lintian") warnings/infos"

# 3. Install.
dpkg -i "$DEB" >"$T/dpkg.out" 2>&1 || { cat "$T/dpkg.out"; fail "dpkg -i failed"; }
INSTALLED=1
dpkg-query -W -f='${Status}' "$PKG" | grep -q 'install ok installed' || fail "not installed"
for f in /usr/bin/$PKG /lib/systemd/system/$PKG.service /etc/oci-logfwd/$PKG.conf \
    /usr/share/man/man8/$PKG.8.gz /usr/share/man/man5/$PKG.conf.5.gz \
    /usr/share/doc/$PKG/copyright; do
	dpkg-query -L "$PKG" | grep -qx "$f" || fail "$f is not in the package"
	[ -e "$f" ] || fail "$f not installed"
done
dpkg-query -W -f='${Conffiles}\n' "$PKG" | grep -q "^ /etc/oci-logfwd/$PKG.conf " ||
	fail "the config is not a conffile"
out=$(dpkg -V "$PKG" 2>&1) || fail "dpkg -V: $out"
[ -z "$out" ] || fail "dpkg -V reports changes: $out"
out=$(/usr/bin/$PKG -V) || fail "-V failed"
[ "$out" = "$PKG $VERSION" ] || fail "-V says \"$out\", want \"$PKG $VERSION\""
grep -qx "ExecStart=/usr/bin/$PKG -c /etc/oci-logfwd/$PKG.conf" /lib/systemd/system/$PKG.service ||
	fail "the unit does not start /usr/bin/$PKG"
systemd-analyze verify /lib/systemd/system/$PKG.service >"$T/verify" 2>&1 ||
	{ cat "$T/verify"; fail "systemd-analyze verify failed"; }
# postinst must not enable it (the config has placeholders), nor start it.
[ ! -e /etc/systemd/system/multi-user.target.wants/$PKG.service ] || fail "service enabled"
[ "$(systemctl is-enabled $PKG.service 2>/dev/null)" = disabled ] ||
	fail "systemctl is-enabled: $(systemctl is-enabled $PKG.service 2>&1)"
if [ -d /run/systemd/system ]; then
	! systemctl -q is-active $PKG.service || fail "service started by postinst"
fi
[ "$(man -w 8 $PKG)" = /usr/share/man/man8/$PKG.8.gz ] || fail "man -w 8 $PKG"
[ "$(man -w 5 $PKG.conf)" = /usr/share/man/man5/$PKG.conf.5.gz ] || fail "man -w 5 $PKG.conf"
echo "ok 3: installed, dpkg -V clean, -V = $VERSION, unit verified, not enabled"

# 4. The shipped config with its placeholders filled in, as the admin would, passes -t.
CONF=/etc/oci-logfwd/$PKG.conf
grep -q aaaaaaaaexample "$CONF" || fail "the placeholders are gone from the shipped config?"
sed -i 's/aaaaaaaaexample/aaaaaaaatestfilledin/g; s|^;metrics_listen = .*|metrics_listen = 127.0.0.1:9464|' "$CONF"
# The secrets the shipped config names come from systemd LoadCredential= at run time.
mkdir -p "$T/creds"
printf 'dd-test-key\n' > "$T/creds/datadog-api-key"
printf 'splunk-test-token\n' > "$T/creds/splunk-hec-token"
chmod 600 "$T/creds/"*
# -t loads the OCI credentials as start-up does: an SDK config in ~/.oci with the test key.
mkdir -p "$T/home/.oci"; cp "$ROOT/tests/data/oci/testonly-api-key.pem" "$T/home/.oci/key.pem"
chmod 600 "$T/home/.oci/key.pem"
printf '[DEFAULT]\ntenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy\nuser = ocid1.user.oc1..aaaaaaaatestonlyuser\nfingerprint = 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af\nkey_file = %s/home/.oci/key.pem\nregion = us-ashburn-1\n' "$T" > "$T/home/.oci/config"
HOME="$T/home" CREDENTIALS_DIRECTORY="$T/creds" /usr/bin/$PKG -t -c "$CONF" >"$T/t.out" 2>"$T/t.err" || { cat "$T/t.err"; fail "-t refused the filled-in config"; }
grep -q 'ocid1.compartment.oc1..aaaaaaaatestfilledin/_Audit' "$T/t.out" || fail "-t output lacks the query"
grep -qx 'metrics_listen = 127.0.0.1:9464' "$T/t.out" || fail "-t output lacks metrics_listen"
echo "ok 4: -t accepts the filled-in config"

# 5. Upgrade to a higher version of the same package: the edited conffile stays.
mkdir -p "$T/up"
dpkg-deb -R "$DEB" "$T/up"
sed -i "s/^Version: .*/Version: ${VERSION}+up1/" "$T/up/DEBIAN/control"
dpkg-deb --root-owner-group --build "$T/up" "$T/up.deb" >/dev/null
dpkg -i "$T/up.deb" >"$T/dpkg-up.out" 2>&1 || { cat "$T/dpkg-up.out"; fail "upgrade failed"; }
[ "$(dpkg-query -W -f='${Version}' $PKG)" = "${VERSION}+up1" ] || fail "not upgraded"
grep -q aaaaaaaatestfilledin "$CONF" || fail "the upgrade overwrote the edited config"
echo "ok 5: upgrade kept the edited config"

# 6. Purge: package files, the edited config, and the checkpoints the service made
#    (StateDirectory= under DynamicUser= lives in /var/lib/private).
[ -d /var/lib/private ] || MADE_PRIVATE=1
mkdir -p /var/lib/private/oci-logfwd
echo '{"cursor_ms":1}' >/var/lib/private/oci-logfwd/audit.state
dpkg -P "$PKG" >"$T/purge.out" 2>&1 || { cat "$T/purge.out"; fail "dpkg -P failed"; }
INSTALLED=0
! dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'ok installed' || fail "still installed"
for f in /usr/bin/$PKG /lib/systemd/system/$PKG.service "$CONF" /usr/share/man/man8/$PKG.8.gz \
    /var/lib/private/oci-logfwd; do
	[ ! -e "$f" ] || fail "$f left after dpkg -P"
done
echo "ok 6: purged"
echo "PASS"
