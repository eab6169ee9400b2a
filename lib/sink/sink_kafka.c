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
#include "sink_impl.h"
#include "sink_kafka.h"

static const char *const ksec_names[] = { "sasl_ssl", "ssl", "sasl_plaintext", "plaintext",
	NULL };
static const char *const kmech_names[] = { "plain", "scram-sha-256", "scram-sha-512", NULL };
/* enum conf_compression: the generic key, which names librdkafka's codecs too. */
static const char *const kcomp_names[] = { "none", "gzip", "snappy", "lz4", "zstd", NULL };

#define KT(n, t, f, lo, hi, e) CONF_TYPE_KEY(n, t, struct sink_kafka_conf, f, lo, hi, e)
static const struct key kafka_conf_keys[] = {
	KT("bootstrap_servers", V_STR, bootstrap_servers, 0, 0, NULL),
	KT("topic", V_STR, topic, 0, 0, NULL),
	KT("security_protocol", V_ENUM, security_protocol, 0, 0, ksec_names),
	KT("sasl_mechanism", V_ENUM, sasl_mechanism, 0, 0, kmech_names),
	KT("sasl_username", V_STR, sasl_username, 0, 0, NULL),
	/* Masked by -t as every secret; the _file form is read at init. */
	{ "sasl_password", V_SECRET, offsetof(struct sink_kafka_conf, sasl_password), 0, 0,
	    NULL, offsetof(struct sink_kafka_conf, sasl_password_file), 0 },
	KT("sasl_password_file", V_PATH, sasl_password_file, 0, 0, NULL),
	KT("tls_ca_file", V_PATH, tls_ca_file, 0, 0, NULL),
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

/* librdkafka's errors (broker down, authentication): logged once per kind of cause. */
static void
on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kafkasink *k = opaque;
	static int last;

	(void)rk;
	if (err == last)
		return;
	last = err;
	log_msg(LOG_LVL_WARNING, NULL, sink_common(k->s)->cfg->name, "kafka: %s (%s)",
	    rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
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

/* The password: sasl_password, or the first line of sasl_password_file; heap or NULL. */
static char *
read_password(const struct sink_kafka_conf *t, struct err *err, int *bad)
{
	char line[4096];
	FILE *f;
	size_t n;

	*bad = 0;
	if (t->sasl_password != NULL)
		return strdup(t->sasl_password);
	if (t->sasl_password_file == NULL)
		return NULL;
	if ((f = fopen(t->sasl_password_file, "r")) == NULL) {
		err_set(err, ERR_CONFIG, "sasl_password_file %s: %s", t->sasl_password_file,
		    strerror(errno));
		*bad = 1;
		return NULL;
	}
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	{
		char *p = strdup(line);
		explicit_bzero(line, sizeof(line));
		return p;
	}
}

static rd_kafka_conf_t *
make_conf(struct kafkasink *k, const struct conf_sink *cfg, struct err *err)
{
	static const char *const mech[] = { "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512" };
	const struct sink_kafka_conf *t = kc(cfg);
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	char num[32];
	char *pw = NULL;
	int bad;

	if (c == NULL) {
		err_set(err, ERR_OTHER, "out of memory");
		return NULL;
	}
	/* message.timeout.ms bounds librdkafka's own retries of retriable errors; 0 is
	 * forever in both. */
	snprintf(num, sizeof(num), "%" PRId64, cfg->retry_max_time_ms);
	if (kset(c, "bootstrap.servers", t->bootstrap_servers, err) ||
	    kset(c, "enable.idempotence", "true", err) ||
	    kset(c, "acks", "all", err) ||
	    kset(c, "message.timeout.ms", num, err) ||
	    kset(c, "compression.codec", kcomp_names[cfg->compression], err) ||
	    kset(c, "security.protocol", ksec_names[t->security_protocol], err) ||
	    kset(c, "client.id", "oci-logfwd", err) ||
	    kset(c, "ssl.ca.location", t->tls_ca_file, err))
		goto bad;
	if (t->max_message_bytes > 0) {
		snprintf(num, sizeof(num), "%" PRId64, t->max_message_bytes);
		if (kset(c, "message.max.bytes", num, err))
			goto bad;
	}
	if (t->security_protocol == 0 || t->security_protocol == 2) {
		pw = read_password(t, err, &bad);
		if (bad)
			goto bad;
		if (kset(c, "sasl.mechanisms", mech[t->sasl_mechanism], err) ||
		    kset(c, "sasl.username", t->sasl_username, err) ||
		    kset(c, "sasl.password", pw, err))
			goto bad;
	}
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	rd_kafka_conf_set_opaque(c, k);
	rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
	rd_kafka_conf_set_error_cb(c, on_error);
	return c;
bad:
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
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
		    ksec_names[kc(c->cfg)->security_protocol]);
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
		/* Give what is queued in librdkafka a bounded chance to reach the brokers;
		 * the engine has already settled every batch (its reports are ignored). */
		ms = sink_common(s)->cfg->timeout_ms;
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

	if (t->bootstrap_servers == NULL)
		conf_check_err(chk, conf_check_line(chk, "type"), "bootstrap_servers",
		    "missing (required for type kafka)");
	if (t->topic == NULL)
		conf_check_err(chk, conf_check_line(chk, "type"), "topic",
		    "missing (required for type kafka)");
	if (t->sasl_password != NULL && t->sasl_password_file != NULL)
		conf_check_err(chk, conf_check_line(chk, "sasl_password_file"),
		    "sasl_password_file", "given together with sasl_password (keep one)");
	if ((t->security_protocol == 0 || t->security_protocol == 2) &&
	    (t->sasl_username == NULL ||
	    (t->sasl_password == NULL && t->sasl_password_file == NULL)))
		conf_check_err(chk, conf_check_line(chk, "security_protocol"),
		    "sasl_username", "sasl_username and sasl_password are required with "
		    "security_protocol = %s", ksec_names[t->security_protocol]);
}

static enum sink_probe_verdict
kafka_probe_local(const struct conf_sink *cfg, struct buf *detail, struct buf *fix)
{
	(void)fix;
	buf_printf(detail, "kafka topic %s at %s: not probed", kc(cfg)->topic,
	    kc(cfg)->bootstrap_servers);
	return SINK_PROBE_SKIPPED;
}

const struct sink_ops sink_kafka_ops = {
	.type = "kafka",
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
