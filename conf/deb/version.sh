#!/bin/sh
# Prints the Debian version of the package: the newest tag vX.Y.Z reachable from HEAD
# without its "v" (1.2.0), with "+gitN" when HEAD is N commits past it, so that every later
# build sorts higher; 0.1.0 when there is no tag (or no git).  Never a hash: dpkg compares
# versions, and a hash does not sort.
tag=$(git describe --tags --match 'v[0-9]*' --abbrev=0 2>/dev/null) || tag=""
if [ -z "$tag" ]; then
	echo 0.1.0
	exit 0
fi
n=$(git rev-list --count "$tag..HEAD" 2>/dev/null) || n=0
# A "-" would start a Debian revision; "~" sorts before the release (1.0~rc1 < 1.0).
v=$(printf '%s' "${tag#v}" | tr -- '-' '~')
if [ "$n" -gt 0 ]; then
	v="$v+git$n"
fi
echo "$v"
