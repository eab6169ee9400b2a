/*
 * sink_kafka.c — type kafka: one produced message per event into one topic (a customer's
 * Kafka, or an OCI stream), through librdkafka's idempotent producer with acks=all.
 *
 * The engine batches as for every type; assemble frames the batch's events (key and
 * length before each item, so that send can cut them again without re-encoding), and
 * send produces them one message each, the key being the event's content fingerprint in
 * hex (equal records land on one partition; a compacted topic keeps one copy).  A batch
 * reports each message's outcome (sink_send_done_items) once every message has its
 * delivery report: delivered; a permanent error for that message alone (too large,
 * invalid) dead-letters it alone; any other error sends it again.  librdkafka retries
 * retriable errors itself within message.timeout.ms, set from retry_max_time (0 =
 * forever: librdkafka's 0).  Delivery reports are served on the
 * sink's loop: librdkafka signals its main queue through a pipe watched by libevent (and
 * a slow timer polls as a safety net), so sink_send_done_items is never called from another
 * thread nor from within send.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <librdkafka/rdkafka.h>

#include "log.h"
#include "kafka_common.h"
#include "sink_impl.h"
#include "sink_kafka.h"

/* enum conf_compression: the generic key, which names librdkafka's codecs too. */
static const char *const kcomp_names[] = { "none", "gzip", "snappy", "lz4", "zstd", NULL };

#define KT(n, t, f, lo, hi, e) CONF_TYPE_KEY(n, t, struct sink_kafka_conf, f, lo, hi, e)
static const struct key kafka_conf_keys[] = {
	KT("bootstrap_servers", V_STR, bootstrap_servers, 0, 0, NULL),
	KT("topic", V_STR, topic, 0, 0, NULL),
	KT("security_protocol", V_ENUM, security_protocol, 0, 0, kafka_security_names),
	KT("sasl_mechanism", V_ENUM, sasl_mechanism, 0, 0, kafka_mechanism_names),
	KT("sasl_username", V_STR, sasl_username, 0, 0, NULL),
	/* A secret: sasl_password_file is read at load as every secret's _file (conf.c),
	 * so -t masks it once and a reload sees a new token. */
	{ "sasl_password", V_SECRET, offsetof(struct sink_kafka_conf, sasl_password), 0, 0,
	    NULL, offsetof(struct sink_kafka_conf, sasl_password_file), 0 },
	KT("max_message_bytes", V_SIZE, max_message_bytes, 1000, 1000000000, NULL),
	CONF_TYPE_KEYS_END,
};

static const struct sink_kafka_conf *
kc(const struct conf_sink *cfg)
{
	static const struct sink_kafka_conf none;

	return cfg->type_conf != NULL ? cfg->type_conf : &none;
}

struct kbatch;

/* A produced message's opaque: its batch and its place in it. */
struct kmsg {
	struct kbatch *b;
	size_t i;
};

/* One batch being produced: done when every message has its delivery report. */
struct kbatch {
	void *token;          /* NULL once cancelled: its reports are then ignored */
	size_t n;             /* messages (the batch's events, in order) */
	size_t outstanding;   /* messages without a delivery report yet */
	struct sink_item_result *res;
	struct kmsg *msgs;
	struct kbatch *prev, *next;
};

struct kafkasink {
	struct sink *s;
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;
	int pipefd[2];
	struct event *io, *tick, *later;
	struct kbatch *head;
	int closing;
	int last_err;   /* librdkafka's last error logged (one line per change of cause) */
	int refused;    /* the brokers refused the credentials: logged, until a delivery */
};

static void
kb_unlink(struct kafkasink *k, struct kbatch *b)
{
	if (b->prev != NULL)
		b->prev->next = b->next;
	else
		k->head = b->next;
	if (b->next != NULL)
		b->next->prev = b->prev;
}

static void
kb_free(struct kbatch *b)
{
	free(b->res);
	free(b->msgs);
	free(b);
}

/*
 * Errors that will not go away by sending the same message again: the message is
 * dead-lettered alone.  Anything else (timed out within message.timeout.ms, queue
 * full, broker errors librdkafka gave up on) is retried by the engine.
 */
static int
permanent(rd_kafka_resp_err_t e)
{
	switch (e) {
	case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
	case RD_KAFKA_RESP_ERR_INVALID_MSG:
	case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
	case RD_KAFKA_RESP_ERR_INVALID_RECORD:
	case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
		return 1;
	default:
		return 0;
	}
}

static void
set_result(struct kbatch *b, size_t i, rd_kafka_resp_err_t e)
{
	struct sink_item_result *r = &b->res[i];

	if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
		r->action = SINK_ITEM_OK;
		return;
	}
	r->action = permanent(e) ? SINK_ITEM_REJECT : SINK_ITEM_RETRY;
	r->status = (int)e;
	snprintf(r->reason, sizeof(r->reason), "%s: %s", rd_kafka_err2name(e),
	    rd_kafka_err2str(e));
}

/* Every message of b has its outcome: tells the engine (unless cancelled). */
static void
complete(struct kafkasink *k, struct kbatch *b)
{
	kb_unlink(k, b);
	if (b->token != NULL && !k->closing)
		sink_send_done_items(k->s, b->token, b->res);
	kb_free(b);
}

/* Delivery report, served by rd_kafka_poll on the loop (msg_opaque: its kmsg). */
static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct kafkasink *k = opaque;
	struct kmsg *km = m->_private;

	(void)rk;
	if (km == NULL)
		return;
	if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
		k->refused = 0; /* the brokers took the credentials (the engine knows too) */
	set_result(km->b, km->i, m->err);
	if (--km->b->outstanding == 0)
		complete(k, km->b);
}

/* Batches whose every message failed at produce: their outcome, now on the loop. */
static void
later_cb(evutil_socket_t fd, short what, void *arg)
{
	struct kafkasink *k = arg;
	struct kbatch *b, *nx;

	(void)fd;
	(void)what;
	for (b = k->head; b != NULL; b = nx) {
		nx = b->next;
		if (b->outstanding == 0)
			complete(k, b);
	}
}

/* How cfg reaches its brokers (borrowed from cfg). */
static void
security_of(const struct conf_sink *cfg, struct kafka_security *ks)
{
	const struct sink_kafka_conf *t = kc(cfg);

	memset(ks, 0, sizeof(*ks));
	ks->bootstrap_servers = t->bootstrap_servers;
	ks->protocol = (enum conf_kafka_security)t->security_protocol;
	ks->mechanism = (enum conf_kafka_mechanism)t->sasl_mechanism;
	ks->username = t->sasl_username;
	ks->password = t->sasl_password;
	ks->password_key = t->sasl_password_file != NULL ? "sasl_password_file" :
	    "sasl_password";
	ks->tls_ca_file = cfg->tls_ca_file;
}

/*
 * librdkafka's errors (broker down, authentication), per sink: one line per change of
 * cause.  A refusal of the credentials is logged once with its cause and fix, and the
 * disconnects that follow each of librdkafka's reconnects are not logged while it lasts.
 */
static void
on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kafkasink *k = opaque;
	const struct conf_sink *cfg = sink_common(k->s)->cfg;
	struct kafka_security ks;
	char cause[768];

	(void)rk;
	if (kafka_err_is_auth(err)) {
		if (k->refused)
			return;
		k->refused = 1;
		k->last_err = err;
		security_of(cfg, &ks);
		kafka_refusal_cause(&ks, cause, sizeof(cause));
		log_msg(LOG_LVL_ERROR, NULL, cfg->name, "kafka: the brokers refused the "
		    "credentials (%s): %s", reason, cause);
		sink_set_refused(k->s, cause);
		return;
	}
	if (k->refused && (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
	    err == RD_KAFKA_RESP_ERR__TRANSPORT))
		return;
	if (err == k->last_err)
		return;
	k->last_err = err;
	log_msg(LOG_LVL_WARNING, NULL, cfg->name, "kafka: %s (%s)",
	    rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

/*
 * librdkafka's own log (forwarded to the main queue: served on the loop): it repeats
 * every failed connection, which on_error already says once per cause, so it is debug
 * output except the critical.
 */
static void
on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	struct kafkasink *k = rd_kafka_opaque(rk);

	log_msg(level <= 2 ? LOG_LVL_WARNING : LOG_LVL_DEBUG, NULL,
	    k != NULL ? sink_common(k->s)->cfg->name : "kafka", "librdkafka %s: %s", fac, buf);
}

static void
serve(struct kafkasink *k)
{
	char b[64];

	while (read(k->pipefd[0], b, sizeof(b)) > 0)
		;
	rd_kafka_poll(k->rk, 0);
}

static void
io_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	serve(arg);
}

static int
kset(rd_kafka_conf_t *c, const char *name, const char *value, struct err *err)
{
	char e[256];

	if (value == NULL)
		return 0;
	if (rd_kafka_conf_set(c, name, value, e, sizeof(e)) != RD_KAFKA_CONF_OK) {
		err_set(err, ERR_CONFIG, "%s: %s", name, e);
		return -1;
	}
	return 0;
}

static rd_kafka_conf_t *
make_conf(struct kafkasink *k, const struct conf_sink *cfg, struct err *err)
{
	const struct sink_kafka_conf *t = kc(cfg);
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	struct kafka_security ks;
	char num[32], e[300];

	if (c == NULL) {
		err_set(err, ERR_OTHER, "out of memory");
		return NULL;
	}
	security_of(cfg, &ks);
	if (kafka_conf_security(c, &ks, e, sizeof(e)) != 0) {
		err_set(err, ERR_CONFIG, "%s", e);
		goto bad;
	}
	/* message.timeout.ms bounds librdkafka's own retries of retriable errors; 0 is
	 * forever in both. */
	snprintf(num, sizeof(num), "%" PRId64, cfg->retry_max_time_ms);
	if (kset(c, "enable.idempotence", "true", err) ||
	    kset(c, "acks", "all", err) ||
	    kset(c, "message.timeout.ms", num, err) ||
	    kset(c, "compression.codec", kcomp_names[cfg->compression], err) ||
	    kset(c, "client.id", "oci-logfwd", err) ||
	    kset(c, "log.queue", "true", err))
		goto bad;
	if (t->max_message_bytes > 0) {
		snprintf(num, sizeof(num), "%" PRId64, t->max_message_bytes);
		if (kset(c, "message.max.bytes", num, err))
			goto bad;
	}
	rd_kafka_conf_set_opaque(c, k);
	rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
	rd_kafka_conf_set_error_cb(c, on_error);
	rd_kafka_conf_set_log_cb(c, on_log);
	return c;
bad:
	rd_kafka_conf_destroy(c);
	return NULL;
}

static void kafka_fini(struct sink *s);

static int
kafka_init(struct sink *s, struct err *err)
{
	struct sink_common *c = sink_common(s);
	struct kafkasink *k = calloc(1, sizeof(*k));
	rd_kafka_conf_t *conf;
	char e[512];
	struct timeval tv = { 1, 0 };

	if (k == NULL) {
		err_set(err, ERR_OTHER, "out of memory");
		return -1;
	}
	k->pipefd[0] = k->pipefd[1] = -1;
	c->priv = k;
	k->s = s;
	c->item_is_json = 1;
	c->target = kc(c->cfg)->topic;
	if ((conf = make_conf(k, c->cfg, err)) == NULL)
		goto fail;
	if ((k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof(e))) == NULL) {
		rd_kafka_conf_destroy(conf);
		err_set(err, ERR_CONFIG, "kafka: %s", e);
		goto fail;
	}
	/* log.queue: librdkafka's log lines wait in the main queue, served on the loop. */
	rd_kafka_set_log_queue(k->rk, NULL);
	if ((k->rkt = rd_kafka_topic_new(k->rk, kc(c->cfg)->topic, NULL)) == NULL) {
		err_set(err, ERR_OTHER, "kafka: topic %s: %s", kc(c->cfg)->topic,
		    rd_kafka_err2str(rd_kafka_last_error()));
		goto fail;
	}
	if (pipe(k->pipefd) != 0 || fcntl(k->pipefd[0], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(k->pipefd[1], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(k->pipefd[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(k->pipefd[1], F_SETFD, FD_CLOEXEC) != 0) {
		err_set(err, ERR_OTHER, "pipe: %s", strerror(errno));
		goto fail;
	}
	/* librdkafka writes a byte to the pipe when its main queue (delivery reports,
	 * errors) has something: served on this loop. */
	{
		rd_kafka_queue_t *q = rd_kafka_queue_get_main(k->rk);
		rd_kafka_queue_io_event_enable(q, k->pipefd[1], "1", 1);
		rd_kafka_queue_destroy(q);
	}
	k->io = event_new(sink_event_base(s), k->pipefd[0], EV_READ | EV_PERSIST, io_cb, k);
	k->tick = event_new(sink_event_base(s), -1, EV_PERSIST, io_cb, k);
	k->later = event_new(sink_event_base(s), -1, 0, later_cb, k);
	if (k->io == NULL || k->tick == NULL || k->later == NULL || event_add(k->io, NULL) != 0 ||
	    event_add(k->tick, &tv) != 0) {
		err_set(err, ERR_OTHER, "out of memory");
		goto fail;
	}
	if (kc(c->cfg)->security_protocol >= 2)
		log_msg(LOG_LVL_WARNING, NULL, c->cfg->name,
		    "security_protocol = %s: messages go to the brokers unencrypted",
		    kafka_security_names[kc(c->cfg)->security_protocol]);
	return 0;
fail:
	kafka_fini(s);
	return -1;
}

static void
kafka_fini(struct sink *s)
{
	struct kafkasink *k = sink_common(s)->priv;
	int64_t ms;

	if (k == NULL)
		return;
	k->closing = 1;
	if (k->rk != NULL) {
		/* Give what is queued in librdkafka a bounded chance to reach the brokers
		 * (none while they refuse the credentials); the engine has already settled
		 * every batch (its reports are ignored). */
		ms = sink_common(s)->cfg->timeout_ms;
		if (!k->refused)
			rd_kafka_flush(k->rk, (int)(ms > 10000 || ms <= 0 ? 10000 : ms));
		rd_kafka_purge(k->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
		rd_kafka_poll(k->rk, 0);
	}
	if (k->rkt != NULL)
		rd_kafka_topic_destroy(k->rkt);
	if (k->rk != NULL)
		rd_kafka_destroy(k->rk);
	while (k->head != NULL) {
		struct kbatch *b = k->head;
		k->head = b->next;
		kb_free(b);
	}
	if (k->later != NULL)
		event_free(k->later);
	if (k->io != NULL)
		event_free(k->io);
	if (k->tick != NULL)
		event_free(k->tick);
	if (k->pipefd[0] >= 0)
		close(k->pipefd[0]);
	if (k->pipefd[1] >= 0)
		close(k->pipefd[1]);
	free(k);
	sink_common(s)->priv = NULL;
}

/*
 * The batch body: per event "<16 hex key> <item length>\n<item>", so that send can
 * produce each event as its own message without the events themselves.
 */
static int
kafka_assemble(struct sink *s, struct sink_event *const *evs, size_t n, struct buf *out)
{
	char hdr[64];
	int len;

	(void)s;
	for (size_t i = 0; i < n; i++) {
		len = snprintf(hdr, sizeof(hdr), "%016" PRIx64 " %zu\n", evs[i]->fingerprint,
		    evs[i]->item_len);
		if (buf_append(out, hdr, (size_t)len) != 0 ||
		    buf_append(out, evs[i]->item, evs[i]->item_len) != 0)
			return -1;
	}
	return 0;
}

/* Cuts the next framed event of [*p, end): its key (16 bytes) and item; 0 or -1. */
static int
next_frame(const char **p, const char *end, const char **key, const char **item,
    size_t *len)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	char *e;
	unsigned long long n;

	if (nl == NULL || nl - *p < 18)
		return -1;
	n = strtoull(*p + 17, &e, 10);
	if (e != nl || n > (size_t)(end - nl - 1))
		return -1;
	*key = *p;
	*item = nl + 1;
	*len = (size_t)n;
	*p = nl + 1 + n;
	return 0;
}

static int
kafka_send(struct sink *s, void *token, const char *body, size_t len, char *errbuf,
    size_t errlen)
{
	struct kafkasink *k = sink_common(s)->priv;
	struct kbatch *b;
	const char *p = body, *end = body + len, *key, *item;
	size_t n = 0, ilen, i;

	while (p < end && next_frame(&p, end, &key, &item, &ilen) == 0)
		n++;
	if (p != end || n == 0) {
		snprintf(errbuf, errlen, "malformed batch");
		return -1;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->res = calloc(n, sizeof(*b->res))) == NULL ||
	    (b->msgs = calloc(n, sizeof(*b->msgs))) == NULL) {
		if (b != NULL)
			kb_free(b);
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	b->token = token;
	b->n = n;
	b->next = k->head;
	if (k->head != NULL)
		k->head->prev = b;
	k->head = b;
	/* Reports are served only by rd_kafka_poll on the loop, never within produce: the
	 * batch cannot complete before this loop is over. */
	for (p = body, i = 0; i < n; i++) {
		next_frame(&p, end, &key, &item, &ilen);
		b->msgs[i].b = b;
		b->msgs[i].i = i;
		/* RD_KAFKA_MSG_F_COPY: the body is the engine's and is rebuilt on retry. */
		if (rd_kafka_produce(k->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
		    (void *)item, ilen, key, 16, &b->msgs[i]) != 0)
			set_result(b, i, rd_kafka_last_error()); /* too large: known now */
		else
			b->outstanding++;
	}
	/* None went out: the outcome comes from the loop (never from within send). */
	if (b->outstanding == 0)
		event_active(k->later, EV_TIMEOUT, 0);
	return 0;
}

static void
kafka_cancel(struct sink *s, void *token)
{
	struct kafkasink *k = sink_common(s)->priv;

	for (struct kbatch *b = k != NULL ? k->head : NULL; b != NULL; b = b->next)
		if (b->token == token)
			b->token = NULL;
}

static void
kafka_check(const struct conf_sink *cfg, struct conf_check *chk)
{
	const struct sink_kafka_conf *t = kc(cfg);
	struct kafka_security ks;
	const char *key;
	char why[512];

	if (t->bootstrap_servers == NULL)
		conf_check_err(chk, conf_check_line(chk, "type"), "bootstrap_servers",
		    "missing (required for type kafka)");
	if (t->topic == NULL)
		conf_check_err(chk, conf_check_line(chk, "type"), "topic",
		    "missing (required for type kafka)");
	/* Both keys set the one secret (the file is read at load). */
	if (conf_check_is_set(chk, "sasl_password") && conf_check_is_set(chk, "sasl_password_file"))
		conf_check_err(chk, conf_check_line(chk, "sasl_password_file"),
		    "sasl_password_file", "given together with sasl_password (keep one)");
	if (kafka_uses_sasl((enum conf_kafka_security)t->security_protocol) &&
	    (t->sasl_username == NULL || t->sasl_password == NULL))
		conf_check_err(chk, conf_check_line(chk, "security_protocol"),
		    "sasl_username", "sasl_username and sasl_password are required with "
		    "security_protocol = %s", kafka_security_names[t->security_protocol]);
	security_of(cfg, &ks);
	if (kafka_oci_check(&ks, &key, why, sizeof(why)) != 0)
		conf_check_err(chk, conf_check_line(chk, key), key, "%s", why);
}

/*
 * --probe: connects and authenticates as the sink would, and reads the topic's metadata
 * (does it exist, how many partitions).  Blocking, bounded by the sink's timeout (at most
 * 10 s), and shorter when the brokers refuse the credentials.
 */
static enum sink_probe_verdict
kafka_probe_local(const struct conf_sink *cfg, struct buf *detail, struct buf *fix)
{
	const struct sink_kafka_conf *t = kc(cfg);
	int timeout = cfg->timeout_ms > 0 && cfg->timeout_ms < 10000 ? (int)cfg->timeout_ms :
	    10000;
	const struct rd_kafka_metadata *md = NULL;
	enum sink_probe_verdict v = SINK_PROBE_FAILED;
	struct kafka_probe_seen ps;
	struct kafka_security ks;
	rd_kafka_resp_err_t err;
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;
	char e[768];

	buf_printf(detail, "kafka topic %s at %s: ", t->topic, t->bootstrap_servers);
	security_of(cfg, &ks);
	if (c == NULL || kafka_conf_security(c, &ks, e, sizeof(e)) != 0 ||
	    rd_kafka_conf_set(c, "client.id", "oci-logfwd", e, sizeof(e)) != RD_KAFKA_CONF_OK) {
		buf_printf(detail, "%s", c == NULL ? "out of memory" : e);
		buf_printf(fix, "Fix [sink %s].", cfg->name);
		goto out;
	}
	kafka_probe_watch(c, &ps);
	rd_kafka_conf_set_log_cb(c, NULL); /* what matters comes through probe_error */
	/* A consumer's handle: asking for the topic's metadata must not create the topic on
	 * brokers that create topics on first use (a producer's would allow it). */
	if ((rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof(e))) == NULL) {
		buf_printf(detail, "%s", e);
		buf_printf(fix, "Fix [sink %s].", cfg->name);
		goto out;
	}
	c = NULL; /* rk's now */
	err = kafka_probe_metadata(rk, t->topic, timeout, &ps, &md);
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
		int n = md->topic_cnt == 1 ? md->topics[0].partition_cnt : 0;
		buf_printf(detail, "%d partition%s", n, n == 1 ? "" : "s");
		v = SINK_PROBE_OK;
	} else if (kafka_err_is_auth(err)) {
		buf_printf(detail, "the brokers refused the credentials (%s)", ps.reason);
		kafka_refusal_cause(&ks, e, sizeof(e));
		buf_printf(fix, "The brokers refused the credentials: %s.", e);
	} else if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
		/* Brokers that create topics on first use would make it with their default
		 * partition count: say so, but it works. */
		buf_printf(detail, "no such topic");
		buf_printf(fix, "Topic %s does not exist: create it (OCI Streaming: a stream of "
		    "that name in the stream pool of sasl_username, with the partitions the "
		    "throughput needs), or fix `topic`.  Brokers that create topics on first use "
		    "create it at the first message, with their default partition count.",
		    t->topic);
		v = SINK_PROBE_WARN;
	} else if (err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
		buf_printf(detail, "%s", rd_kafka_err2str(err));
		buf_printf(fix, "An IAM policy must allow the user to write to the stream, e.g. "
		    "\"Allow group <group> to use stream-push in compartment <compartment>\".");
	} else {
		buf_printf(detail, "%s%s%s%s", rd_kafka_err2str(err), ps.err != 0 ? " (" : "",
		    ps.err != 0 ? ps.reason : "", ps.err != 0 ? ")" : "");
		buf_printf(fix, "Check bootstrap_servers (%s), security_protocol and tls_ca_file, "
		    "and that this host can reach the brokers.", t->bootstrap_servers);
	}
out:
	if (md != NULL)
		rd_kafka_metadata_destroy(md);
	if (rk != NULL)
		rd_kafka_destroy(rk);
	if (c != NULL)
		rd_kafka_conf_destroy(c);
	return v;
}

static const char *const kafka_generic_keys[] = { "tls_ca_file", NULL };

const struct sink_ops sink_kafka_ops = {
	.type = "kafka",
	.keys = kafka_generic_keys,
	.conf_keys = kafka_conf_keys,
	.conf_size = sizeof(struct sink_kafka_conf),
	.check = kafka_check,
	.probe_local = kafka_probe_local,
	.init = kafka_init,
	.fini = kafka_fini,
	.assemble = kafka_assemble,
	.send = kafka_send,
	.cancel = kafka_cancel,
};
