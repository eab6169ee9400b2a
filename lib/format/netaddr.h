/*
 * netaddr.h — IP addresses as flow logs write them, this host's own addresses, and a
 * matcher between the two.
 *
 * Used by --probe (probe.h) to warn when a VCN flow-log source carries this host's
 * addresses: the daemon's own requests would then feed back into what it forwards.
 *
 * Parsing accepts IPv4 dotted quads and IPv6 text (inet_pton(3) forms), with optional
 * [brackets] and a %zone suffix (dropped).  IPv4-mapped IPv6 (::ffff:a.b.c.d) is stored
 * as the IPv4 address, so "::ffff:10.0.0.1" and "10.0.0.1" compare equal.
 */
#ifndef OCI_LOGFWD_NETADDR_H
#define OCI_LOGFWD_NETADDR_H

#include <stddef.h>

/* A small value type: fields visible, use through the functions. */
struct netaddr {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char a[16];    /* network byte order; IPv4 uses a[0..3], the rest is 0 */
};

struct netaddr_err {
	char msg[256];
};

/*
 * Parses s[0..len) (need not be NUL-terminated; at most 63 bytes).  Returns 0 and fills
 * *out, or -1 (out untouched) when it is not an IP address.
 */
int netaddr_parse(const char *s, size_t len, struct netaddr *out);

/* 1 when a and b are the same address, else 0. */
int netaddr_equal(const struct netaddr *a, const struct netaddr *b);

/* 1 for 127.0.0.0/8 and ::1. */
int netaddr_is_loopback(const struct netaddr *a);

/* Canonical text (inet_ntop) into out (outsz >= 46 always suffices); returns out. */
char *netaddr_format(const struct netaddr *a, char *out, size_t outsz);

/* A set of addresses; linear scan, because a host has a handful of them. */
struct netaddr_set;

/* Returns a new empty set, or NULL when out of memory.  Free with netaddr_set_free. */
struct netaddr_set *netaddr_set_new(void);
/* NULL is a no-op. */
void netaddr_set_free(struct netaddr_set *s);

/* Adds a (copied; a duplicate is ignored).  0, or -1 when out of memory. */
int netaddr_set_add(struct netaddr_set *s, const struct netaddr *a);

/*
 * Adds every IPv4 and IPv6 address of this host's interfaces (getifaddrs(3)), loopback
 * included.  0, or -1 with err filled (getifaddrs failed, out of memory); addresses
 * added before a failure stay.
 */
int netaddr_set_add_local(struct netaddr_set *s, struct netaddr_err *err);

/* 1 when a is in s. */
int netaddr_set_contains(const struct netaddr_set *s, const struct netaddr *a);

/*
 * The matcher: 1 when s[0..len) parses as an address that is in set, else 0 (also for
 * text that is not an address, e.g. a flow record's null or "-").  When it matches and
 * out is not NULL, *out is the parsed address.
 */
int netaddr_set_match(const struct netaddr_set *set, const char *s, size_t len,
    struct netaddr *out);

/* Number of addresses, and the i-th (borrowed; i < count). */
size_t netaddr_set_count(const struct netaddr_set *s);
const struct netaddr *netaddr_set_get(const struct netaddr_set *s, size_t i);

#endif
