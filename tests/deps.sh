#!/bin/sh
# Install the Debian packages that the build and the tests need, when any is missing.
# As root this runs apt-get; otherwise it prints the exact command and fails.
set -eu
PKGS="gcc make pkg-config libcurl4-openssl-dev libjansson-dev libevent-dev libssl-dev
      libinih-dev libsystemd-dev libcmocka-dev libyajl-dev libdeflate-dev zlib1g-dev
      clang libclang-rt-14-dev valgrind curl python3 systemd nodejs
      dpkg-dev lintian mandoc man-db prometheus syslog-ng-core syslog-ng-mod-http
      librdkafka-dev kcat"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
# npm: Debian's package, unless a node distribution already brought its own npm.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages:$missing" >&2
		echo "run: sudo apt-get update && sudo apt-get install -y$missing" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null
fi
# json-server (npm) is the stand-in third-party REST API of the tutorial case; it is
# installed outside the tree so that `make clean` does not throw it away.
NPM_DIR="${OCI_LOGFWD_NPM_DIR:-${HOME:-/root}/.cache/oci-logfwd/npm}"
if [ ! -x "$NPM_DIR/node_modules/.bin/json-server" ]; then
	mkdir -p "$NPM_DIR"
	echo "deps: installing json-server@0.17.4 into $NPM_DIR"
	npm install --silent --no-audit --no-fund --prefix "$NPM_DIR" json-server@0.17.4 >/dev/null ||
		{ echo "deps: npm install json-server failed" >&2; exit 1; }
fi
exit 0
