/*
 * netaddr.c — IP address parsing, this host's addresses, a set with a matcher.
 */
#include "netaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define NETADDR_TEXT_MAX 63

struct netaddr_set {
	struct netaddr *v;
	size_t n, cap;
};

static const unsigned char v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* ::ffff:a.b.c.d is the IPv4 address: flow logs and getifaddrs may use either form. */
static void
from_in6(struct netaddr *out, const unsigned char a6[16])
{
	memset(out, 0, sizeof(*out));
	if (memcmp(a6, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0) {
		out->family = AF_INET;
		memcpy(out->a, a6 + 12, 4);
	} else {
		out->family = AF_INET6;
		memcpy(out->a, a6, 16);
	}
}

int
netaddr_parse(const char *s, size_t len, struct netaddr *out)
{
	char text[NETADDR_TEXT_MAX + 1];
	unsigned char bin[16];
	char *pct;

	if (s == NULL || len == 0 || len > NETADDR_TEXT_MAX)
		return -1;
	if (s[0] == '[') {
		if (len < 3 || s[len - 1] != ']')
			return -1;
		s++;
		len -= 2;
	}
	memcpy(text, s, len);
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL)
		return -1;
	if (inet_pton(AF_INET, text, bin) == 1) {
		memset(out, 0, sizeof(*out));
		out->family = AF_INET;
		memcpy(out->a, bin, 4);
		return 0;
	}
	/* fe80::1%eth0: the zone names an interface, not part of the address. */
	pct = strchr(text, '%');
	if (pct != NULL) {
		if (pct[1] == '\0')
			return -1;
		*pct = '\0';
	}
	if (inet_pton(AF_INET6, text, bin) != 1)
		return -1;
	from_in6(out, bin);
	return 0;
}

int
netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
	if (a->family != b->family)
		return 0;
	return memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16) == 0;
}

int
netaddr_is_loopback(const struct netaddr *a)
{
	static const unsigned char v6lo[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->a[0] == 127;
	return a->family == AF_INET6 && memcmp(a->a, v6lo, 16) == 0;
}

char *
netaddr_format(const struct netaddr *a, char *out, size_t outsz)
{
	if (outsz == 0)
		return out;
	if (outsz > (size_t)INET6_ADDRSTRLEN + 1)
		outsz = INET6_ADDRSTRLEN + 1;
	if (inet_ntop(a->family, a->a, out, (socklen_t)outsz) == NULL)
		snprintf(out, outsz, "?");
	return out;
}

struct netaddr_set *
netaddr_set_new(void)
{
	return calloc(1, sizeof(struct netaddr_set));
}

void
netaddr_set_free(struct netaddr_set *s)
{
	if (s == NULL)
		return;
	free(s->v);
	free(s);
}

int
netaddr_set_contains(const struct netaddr_set *s, const struct netaddr *a)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (netaddr_equal(&s->v[i], a))
			return 1;
	return 0;
}

int
netaddr_set_add(struct netaddr_set *s, const struct netaddr *a)
{
	if (netaddr_set_contains(s, a))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct netaddr *v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *a;
	return 0;
}

int
netaddr_set_add_local(struct netaddr_set *s, struct netaddr_err *err)
{
	struct ifaddrs *ifa = NULL, *i;
	int rc = 0;

	if (getifaddrs(&ifa) != 0) {
		snprintf(err->msg, sizeof(err->msg), "getifaddrs: %s", strerror(errno));
		return -1;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		struct netaddr a;

		if (i->ifa_addr == NULL)
			continue;
		memset(&a, 0, sizeof(a));
		if (i->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)i->ifa_addr;
			a.family = AF_INET;
			memcpy(a.a, &sin->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const void *)i->ifa_addr;
			from_in6(&a, sin6->sin6_addr.s6_addr);
		} else {
			continue;
		}
		if (netaddr_set_add(s, &a) != 0) {
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			rc = -1;
			break;
		}
	}
	freeifaddrs(ifa);
	return rc;
}

int
netaddr_set_match(const struct netaddr_set *set, const char *s, size_t len,
    struct netaddr *out)
{
	struct netaddr a;

	if (netaddr_parse(s, len, &a) != 0 || !netaddr_set_contains(set, &a))
		return 0;
	if (out != NULL)
		*out = a;
	return 1;
}

size_t
netaddr_set_count(const struct netaddr_set *s)
{
	return s->n;
}

const struct netaddr *
netaddr_set_get(const struct netaddr_set *s, size_t i)
{
	return i < s->n ? &s->v[i] : NULL;
}
