/*
 * kafkasasl — a Kafka broker for tests that does nothing but SASL/PLAIN authentication,
 * as OCI Streaming and every SASL-enabled Kafka answer it (librdkafka's mock cluster has
 * no SASL).
 *
 *   kafkasasl --user NAME --password SECRET [--topic NAME:PARTITIONS]... [--bootstrap-file F]
 *
 * Listens on 127.0.0.1 (an ephemeral port), prints its bootstrap "127.0.0.1:PORT" on
 * stdout (and to F, written atomically), then serves until SIGTERM/SIGINT.  Requests are
 * read per the Kafka protocol (https://kafka.apache.org/protocol):
 *
 *   ApiVersions (18) v0..v3   the keys below; v3 is flexible (compact array, tagged
 *                             fields), yet its response header is v0, as Kafka's is for
 *                             ApiVersions; a newer version gets the v0 answer with
 *                             UNSUPPORTED_VERSION (35), as Kafka does.
 *   SaslHandshake (17) v0/v1  PLAIN only, else UNSUPPORTED_SASL_MECHANISM (33).  After v0
 *                             the client sends its token unframed by Kafka (legacy SASL:
 *                             a size and the bytes); after v1 in SaslAuthenticate.
 *   SaslAuthenticate (36) v0/v1
 *                             the PLAIN token (authzid NUL authcid NUL password) checked
 *                             against --user/--password: a mismatch is answered with
 *                             SASL_AUTHENTICATION_FAILED (58) and the message a Kafka
 *                             broker sends, then the connection is closed.
 *
 *   Metadata (3) v0/v1        once authenticated: this one broker and the --topic topics
 *                             (it leads every partition); a topic it does not have is
 *                             answered with UNKNOWN_TOPIC_OR_PARTITION (3), as a broker
 *                             that does not create topics does.
 *
 * Anything else (what a client sends next: Produce, FindCoordinator, ...), and any
 * request but these three before authentication, closes the connection: this broker
 * authenticates and describes, nothing more.  Each attempt is logged on stderr, one line
 * ("kafkasasl: auth refused user=NAME" / "kafkasasl: auth accepted user=NAME"; never the
 * password), for the tests to count reconnects.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 64
#define MAX_FRAME (1024 * 1024)

enum { API_METADATA = 3, API_SASL_HANDSHAKE = 17, API_API_VERSIONS = 18,
	API_SASL_AUTHENTICATE = 36 };
enum {
	ERR_UNKNOWN_TOPIC_OR_PARTITION = 3,
	ERR_UNSUPPORTED_SASL_MECHANISM = 33,
	ERR_UNSUPPORTED_VERSION = 35,
	ERR_ILLEGAL_SASL_STATE = 34,
	ERR_SASL_AUTHENTICATION_FAILED = 58,
};

struct conn {
	int fd;
	unsigned char *in;   /* bytes received, not yet a whole frame */
	size_t in_len, in_cap;
	int legacy_next;     /* SaslHandshake v0 done: the next frame is a bare token */
	int handshaken;      /* SaslHandshake done: SaslAuthenticate allowed */
	int authed;          /* authenticated: Metadata allowed */
	int close_after;     /* answered a refusal: close once written */
};

struct out {
	unsigned char b[4096];
	size_t n;
	int overflow;
};

#define MAX_TOPICS 16

static volatile sig_atomic_t stop_sig;
static const char *want_user, *want_pass;
static struct {
	char name[128];
	int parts;
} topics[MAX_TOPICS];
static int ntopics;
static int port;

static void
on_sig(int sig)
{
	(void)sig;
	stop_sig = 1;
}

/* ---------------------------------------------------------------- writing */

static void
put(struct out *o, const void *p, size_t n)
{
	if (o->n + n > sizeof(o->b)) {
		o->overflow = 1;
		return;
	}
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void
put16(struct out *o, int v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };
	put(o, b, 2);
}

static void
put32(struct out *o, int32_t v)
{
	uint32_t u = (uint32_t)v;
	unsigned char b[4] = { (unsigned char)(u >> 24), (unsigned char)(u >> 16),
		(unsigned char)(u >> 8), (unsigned char)u };
	put(o, b, 4);
}

static void
put64(struct out *o, int64_t v)
{
	put32(o, (int32_t)((uint64_t)v >> 32));
	put32(o, (int32_t)(uint32_t)v);
}

static void
put_uvarint(struct out *o, uint32_t v)
{
	unsigned char c;

	do {
		c = v & 0x7f;
		v >>= 7;
		if (v != 0)
			c |= 0x80;
		put(o, &c, 1);
	} while (v != 0);
}

/* STRING (int16 length) or, when null, NULLABLE_STRING -1. */
static void
put_str(struct out *o, const char *s)
{
	if (s == NULL) {
		put16(o, -1);
		return;
	}
	put16(o, (int)strlen(s));
	put(o, s, strlen(s));
}

/* Sends the frame whose body is o (size prefix added); 0 or -1. */
static int
send_frame(int fd, const struct out *o)
{
	unsigned char hdr[4];
	uint32_t n = (uint32_t)o->n;
	const unsigned char *parts[2] = { hdr, o->b };
	size_t lens[2] = { 4, o->n };

	if (o->overflow)
		return -1;
	hdr[0] = (unsigned char)(n >> 24);
	hdr[1] = (unsigned char)(n >> 16);
	hdr[2] = (unsigned char)(n >> 8);
	hdr[3] = (unsigned char)n;
	/* Blocking writes of a few bytes: the answers are tiny and the client reads them. */
	for (int i = 0; i < 2; i++) {
		size_t off = 0;
		while (off < lens[i]) {
			ssize_t w = write(fd, parts[i] + off, lens[i] - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			off += (size_t)w;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- reading */

struct rd {
	const unsigned char *p, *end;
	int bad;
};

static int
get16(struct rd *r)
{
	int v;

	if (r->end - r->p < 2) {
		r->bad = 1;
		return 0;
	}
	v = (int16_t)((r->p[0] << 8) | r->p[1]);
	r->p += 2;
	return v;
}

static int32_t
get32(struct rd *r)
{
	uint32_t v;

	if (r->end - r->p < 4) {
		r->bad = 1;
		return 0;
	}
	v = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) | ((uint32_t)r->p[2] << 8) |
	    r->p[3];
	r->p += 4;
	return (int32_t)v;
}

static uint32_t
get_uvarint(struct rd *r)
{
	uint32_t v = 0;

	for (int shift = 0; shift < 35; shift += 7) {
		if (r->p >= r->end) {
			r->bad = 1;
			return 0;
		}
		v |= (uint32_t)(*r->p & 0x7f) << shift;
		if ((*r->p++ & 0x80) == 0)
			return v;
	}
	r->bad = 1;
	return 0;
}

/* Skips n bytes (n < 0: nothing, a null). */
static const unsigned char *
get_bytes(struct rd *r, long n)
{
	const unsigned char *p = r->p;

	if (n < 0)
		return NULL;
	if (r->end - r->p < n) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	return p;
}

/* Skips a TAG_BUFFER (flexible versions): count, then tag, size, bytes each. */
static void
skip_tags(struct rd *r)
{
	uint32_t n = get_uvarint(r);

	for (uint32_t i = 0; i < n && !r->bad; i++) {
		(void)get_uvarint(r);
		get_bytes(r, (long)get_uvarint(r));
	}
}

/* ---------------------------------------------------------------- the APIs */

static int
check_plain(const unsigned char *tok, size_t len)
{
	/* PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd. */
	const unsigned char *a = memchr(tok, 0, len), *b;
	char user[512];
	size_t ulen;
	int ok;

	if (a == NULL || (b = memchr(a + 1, 0, len - (size_t)(a + 1 - tok))) == NULL) {
		fprintf(stderr, "kafkasasl: auth refused (not a PLAIN token)\n");
		return 0;
	}
	ulen = (size_t)(b - a - 1);
	snprintf(user, sizeof(user), "%.*s", (int)(ulen < 500 ? ulen : 500), a + 1);
	ok = ulen == strlen(want_user) && memcmp(a + 1, want_user, ulen) == 0 &&
	    len - (size_t)(b + 1 - tok) == strlen(want_pass) &&
	    memcmp(b + 1, want_pass, strlen(want_pass)) == 0;
	fprintf(stderr, "kafkasasl: auth %s user=%s\n", ok ? "accepted" : "refused", user);
	return ok;
}

static int
api_versions(struct conn *c, int version, int32_t corr)
{
	static const int keys[][3] = {
		{ API_METADATA, 0, 1 },
		{ API_SASL_HANDSHAKE, 0, 1 },
		{ API_API_VERSIONS, 0, 3 },
		{ API_SASL_AUTHENTICATE, 0, 1 },
	};
	const int n = (int)(sizeof(keys) / sizeof(keys[0]));
	static struct out o;
	int flexible;

	o.n = 0;
	o.overflow = 0;

	/* A version we do not know: Kafka answers in v0 with UNSUPPORTED_VERSION and its
	 * ranges, so that the client can retry with one it shares. */
	put32(&o, corr); /* response header v0, even for the flexible v3 */
	if (version > 3) {
		put16(&o, ERR_UNSUPPORTED_VERSION);
		version = 0;
	} else {
		put16(&o, 0);
	}
	flexible = version >= 3;
	if (flexible)
		put_uvarint(&o, (uint32_t)n + 1);
	else
		put32(&o, n);
	for (int i = 0; i < n; i++) {
		put16(&o, keys[i][0]);
		put16(&o, keys[i][1]);
		put16(&o, keys[i][2]);
		if (flexible)
			put_uvarint(&o, 0);
	}
	if (version >= 1)
		put32(&o, 0); /* throttle_time_ms */
	if (flexible)
		put_uvarint(&o, 0);
	return send_frame(c->fd, &o);
}

static int
sasl_handshake(struct conn *c, int version, int32_t corr, struct rd *r)
{
	struct out o = { .n = 0 };
	int mlen = get16(r);
	const unsigned char *mech = get_bytes(r, mlen);
	int plain = !r->bad && mech != NULL && mlen == 5 && memcmp(mech, "PLAIN", 5) == 0;

	if (r->bad || version > 1)
		return -1;
	put32(&o, corr);
	put16(&o, plain ? 0 : ERR_UNSUPPORTED_SASL_MECHANISM);
	put32(&o, 1);
	put_str(&o, "PLAIN");
	if (plain) {
		c->handshaken = 1;
		c->legacy_next = version == 0;
	} else {
		c->close_after = 1;
	}
	return send_frame(c->fd, &o);
}

static int
sasl_authenticate(struct conn *c, int version, int32_t corr, struct rd *r)
{
	struct out o = { .n = 0 };
	int32_t n = get32(r);
	const unsigned char *tok = get_bytes(r, n);
	int ok;

	if (r->bad || version > 1)
		return -1;
	put32(&o, corr);
	if (!c->handshaken) {
		put16(&o, ERR_ILLEGAL_SASL_STATE);
		put_str(&o, "SaslAuthenticate before SaslHandshake");
		ok = 0;
	} else if ((ok = check_plain(tok != NULL ? tok : (const unsigned char *)"",
	        tok != NULL ? (size_t)n : 0))) {
		c->authed = 1;
		put16(&o, 0);
		put_str(&o, NULL);
	} else {
		/* What an Apache Kafka broker answers for a wrong PLAIN user or password. */
		put16(&o, ERR_SASL_AUTHENTICATION_FAILED);
		put_str(&o, "Authentication failed: Invalid username or password");
	}
	put32(&o, 0); /* auth_bytes: empty */
	if (version >= 1)
		put64(&o, 0); /* session_lifetime_ms: no re-authentication */
	if (!ok)
		c->close_after = 1;
	return send_frame(c->fd, &o);
}

/* The topics this broker has (--topic): the index of name[0..n), or -1. */
static int
topic_find(const unsigned char *name, int n)
{
	for (int i = 0; i < ntopics; i++)
		if ((int)strlen(topics[i].name) == n && memcmp(topics[i].name, name, (size_t)n) == 0)
			return i;
	return -1;
}

static void
put_topic(struct out *o, int version, int t, const unsigned char *name, int n)
{
	put16(o, t < 0 ? ERR_UNKNOWN_TOPIC_OR_PARTITION : 0);
	put16(o, n);
	put(o, name, (size_t)n);
	if (version >= 1)
		put(o, "", 1); /* is_internal: false */
	put32(o, t < 0 ? 0 : topics[t].parts);
	for (int p = 0; t >= 0 && p < topics[t].parts; p++) {
		put16(o, 0);
		put32(o, p);     /* partition_index */
		put32(o, 1);     /* leader_id: this broker */
		put32(o, 1);     /* replica_nodes */
		put32(o, 1);
		put32(o, 1);     /* isr_nodes */
		put32(o, 1);
	}
}

static int
metadata(struct conn *c, int version, int32_t corr, struct rd *r)
{
	static struct out o;
	int32_t n = get32(r);

	o.n = 0;
	o.overflow = 0;
	if (r->bad || version > 1 || !c->authed)
		return -1;
	put32(&o, corr);
	put32(&o, 1); /* brokers: this one, node 1 */
	put32(&o, 1);
	put_str(&o, "127.0.0.1");
	put32(&o, port);
	if (version >= 1) {
		put_str(&o, NULL); /* rack */
		put32(&o, 1);      /* controller_id */
	}
	if (n < 0) { /* null (v1) or, in v0, an empty array: every topic */
		put32(&o, ntopics);
		for (int t = 0; t < ntopics; t++)
			put_topic(&o, version, t, (const unsigned char *)topics[t].name,
			    (int)strlen(topics[t].name));
	} else {
		put32(&o, n);
		for (int32_t i = 0; i < n && !r->bad; i++) {
			int len = get16(r);
			const unsigned char *name = get_bytes(r, len);
			if (r->bad || name == NULL)
				return -1;
			put_topic(&o, version, topic_find(name, len), name, len);
		}
	}
	return r->bad ? -1 : send_frame(c->fd, &o);
}

/* One whole frame of c (its size prefix removed): answered; -1 closes the connection. */
static int
handle_frame(struct conn *c, const unsigned char *f, size_t len)
{
	struct rd r = { f, f + len, 0 };
	int key, version, clen;
	int32_t corr;

	if (c->legacy_next) {
		/* After SaslHandshake v0: the bare PLAIN token; success is an empty frame,
		 * a refusal closes the connection (legacy SASL has no error answer). */
		struct out o = { .n = 0 };
		c->legacy_next = 0;
		if (!check_plain(f, len))
			return -1;
		c->authed = 1;
		return send_frame(c->fd, &o);
	}
	key = get16(&r);
	version = get16(&r);
	corr = get32(&r);
	clen = get16(&r); /* client_id: a (non-compact) nullable string in every header */
	get_bytes(&r, clen);
	if (r.bad)
		return -1;
	/* Request header v2 (flexible versions) adds a TAG_BUFFER: ApiVersions v3+. */
	if (key == API_API_VERSIONS && version >= 3)
		skip_tags(&r);
	switch (key) {
	case API_API_VERSIONS:
		return api_versions(c, version, corr);
	case API_SASL_HANDSHAKE:
		return sasl_handshake(c, version, corr, &r);
	case API_SASL_AUTHENTICATE:
		return sasl_authenticate(c, version, corr, &r);
	case API_METADATA:
		return metadata(c, version, corr, &r);
	default:
		fprintf(stderr, "kafkasasl: request %d v%d: not served (closing)\n", key, version);
		return -1;
	}
}

static void
conn_close(struct conn *c)
{
	close(c->fd);
	free(c->in);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Reads what is there; handles every whole frame.  -1: close it. */
static int
conn_read(struct conn *c)
{
	unsigned char b[16384];
	ssize_t n = read(c->fd, b, sizeof(b));
	size_t off = 0;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	if (c->in_len + (size_t)n > c->in_cap) {
		size_t cap = c->in_len + (size_t)n + 4096;
		unsigned char *p = realloc(c->in, cap);
		if (p == NULL)
			return -1;
		c->in = p;
		c->in_cap = cap;
	}
	memcpy(c->in + c->in_len, b, (size_t)n);
	c->in_len += (size_t)n;
	while (c->in_len - off >= 4) {
		const unsigned char *p = c->in + off;
		uint32_t size = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		    ((uint32_t)p[2] << 8) | p[3];
		if (size > MAX_FRAME)
			return -1;
		if (c->in_len - off - 4 < size)
			break;
		if (handle_frame(c, p + 4, size) != 0 || c->close_after)
			return -1;
		off += 4 + size;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
	return 0;
}

static int
write_bootstrap(const char *path, const char *bs)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%s\n", bs) < 0 || fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'p' },
		{ "bootstrap-file", required_argument, NULL, 'f' },
		{ "topic", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bfile = NULL;
	struct conn conns[MAX_CONNS];
	struct pollfd pfd[MAX_CONNS + 1];
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	struct sigaction sig;
	char bs[64];
	int ls, ch, one = 1;

	while ((ch = getopt_long(argc, argv, "u:p:f:t:", opts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			want_user = optarg;
			break;
		case 'p':
			want_pass = optarg;
			break;
		case 'f':
			bfile = optarg;
			break;
		case 't': {
			const char *colon = strrchr(optarg, ':');
			size_t n = colon != NULL ? (size_t)(colon - optarg) : 0;
			if (ntopics == MAX_TOPICS || n == 0 || n >= sizeof(topics[0].name) ||
			    atoi(colon + 1) < 1)
				goto usage;
			memcpy(topics[ntopics].name, optarg, n);
			topics[ntopics].name[n] = '\0';
			topics[ntopics++].parts = atoi(colon + 1);
			break;
		}
		default:
			goto usage;
		}
	}
	if (want_user == NULL || want_pass == NULL || optind != argc)
		goto usage;
	memset(&sig, 0, sizeof(sig));
	sig.sa_handler = on_sig;
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);
	signal(SIGPIPE, SIG_IGN);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(ls, 16) != 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &salen) != 0) {
		perror("kafkasasl: listen");
		return 1;
	}
	port = ntohs(sa.sin_port);
	snprintf(bs, sizeof(bs), "127.0.0.1:%d", port);
	printf("%s\n", bs);
	fflush(stdout);
	if (bfile != NULL && write_bootstrap(bfile, bs) != 0) {
		fprintf(stderr, "kafkasasl: cannot write %s\n", bfile);
		return 1;
	}
	for (int i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	while (!stop_sig) {
		int n = 0;
		pfd[n].fd = ls;
		pfd[n++].events = POLLIN;
		for (int i = 0; i < MAX_CONNS; i++) {
			pfd[n].fd = conns[i].fd; /* -1: ignored by poll */
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, 200) < 0)
			continue; /* EINTR: look at stop_sig */
		if (pfd[0].revents & POLLIN) {
			int fd = accept(ls, NULL, NULL);
			int slot = -1;
			for (int i = 0; i < MAX_CONNS && fd >= 0 && slot < 0; i++)
				if (conns[i].fd < 0)
					slot = i;
			if (fd >= 0 && slot < 0)
				close(fd);
			else if (fd >= 0) {
				memset(&conns[slot], 0, sizeof(conns[slot]));
				conns[slot].fd = fd;
			}
		}
		for (int i = 0; i < MAX_CONNS; i++)
			if (conns[i].fd >= 0 && (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    conn_read(&conns[i]) != 0)
				conn_close(&conns[i]);
	}
	for (int i = 0; i < MAX_CONNS; i++)
		if (conns[i].fd >= 0)
			conn_close(&conns[i]);
	close(ls);
	return 0;
usage:
	fprintf(stderr, "usage: kafkasasl --user NAME --password SECRET [--topic NAME:PARTITIONS]... "
	    "[--bootstrap-file F]\n");
	return 2;
}
