/*
 * sink_syslog.c — type syslog: RFC 5424 messages with octet-counting framing
 * (syslog_fmt.h) over one TCP (url = tcp://host:514) or TLS (tls://host:6514) stream
 * (syslog_conn.h), the way QRadar, ArcSight and most on-premises SIEMs take logs.
 *
 * Each event becomes one framed message at submit (the item); a batch is the items
 * back to back.  MSG is the event in the sink's format, or its one-line summary with
 * syslog_message = summary (an event stored before a reload has no summary any more and
 * goes out as the event).  A batch counts as delivered once its last byte was written to
 * the socket: there is no acknowledgement in syslog (README: what a reset can lose).
 * Batches go out one after the other on the single stream, in order; a failed batch is
 * retried by the engine with its backoff, and the retry reconnects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "evfields.h"
#include "log.h"
#include "sink_impl.h"
#include "sink_syslog.h"
#include "syslog_conn.h"
#include "syslog_fmt.h"

static const char *const syslog_message_names[] = { "event", "summary", NULL };

/* The type's own keys (struct sink_syslog_conf; -t prints them in this order). */
static const struct key syslog_conf_keys[] = {
	CONF_TYPE_KEY("hostname", V_STR, struct sink_syslog_conf, hostname, 0, 0, NULL),
	CONF_TYPE_KEY("syslog_message", V_ENUM, struct sink_syslog_conf, summary, 0, 0,
	    syslog_message_names),
	CONF_TYPE_KEYS_END,
};

static const struct sink_syslog_conf *
syc(const struct conf_sink *cfg)
{
	static const struct sink_syslog_conf none;

	return cfg->type_conf != NULL ? cfg->type_conf : &none;
}

struct pend {
	void *token;
	const char *body;
	size_t len;
	struct pend *next;
};

struct syslogsink {
	struct sink *s;
	struct syslog_conn *conn;
	char hostname[256];
	struct pend *head, *tail; /* head is being written when busy */
	int busy;
};

static void pump(struct syslogsink *y);

static void
on_sent(void *arg, int ok, const char *err)
{
	struct syslogsink *y = arg;
	struct pend *p = y->head;

	y->busy = 0;
	y->head = p->next;
	if (y->head == NULL)
		y->tail = NULL;
	sink_send_done(y->s, p->token, ok ? NULL : (err != NULL ? err : "send failed"));
	free(p);
	pump(y);
}

static void
pump(struct syslogsink *y)
{
	if (y->busy || y->head == NULL)
		return;
	/* One send at a time on the stream: the next batch starts when the last was
	 * written, so frames never interleave. */
	if (syslog_conn_send(y->conn, y->head->body, y->head->len, on_sent, y) == 0) {
		y->busy = 1;
		return;
	}
	/* Only memory can fail here: report the batch failed (retried by the engine). */
	{
		struct pend *p = y->head;
		y->head = p->next;
		if (y->head == NULL)
			y->tail = NULL;
		sink_send_done(y->s, p->token, "out of memory");
		free(p);
	}
}

static int
syslog_init(struct sink *s, struct err *err)
{
	struct sink_common *c = sink_common(s);
	struct syslogsink *y = calloc(1, sizeof(*y));
	struct syslog_conn_opts o;

	if (y == NULL) {
		err_set(err, ERR_OTHER, "out of memory");
		return -1;
	}
	c->priv = y;
	y->s = s;
	if (syc(c->cfg)->hostname != NULL && *syc(c->cfg)->hostname != '\0')
		snprintf(y->hostname, sizeof(y->hostname), "%s", syc(c->cfg)->hostname);
	else if (gethostname(y->hostname, sizeof(y->hostname) - 1) != 0)
		y->hostname[0] = '\0';
	memset(&o, 0, sizeof(o));
	o.url = c->cfg->url;
	o.tls_verify = c->cfg->tls_verify;
	o.tls_ca_file = c->cfg->tls_ca_file;
	o.timeout_ms = (int)c->cfg->timeout_ms;
	y->conn = syslog_conn_new(sink_event_base(s), &o, err->msg, sizeof(err->msg));
	if (y->conn == NULL) {
		err->kind = ERR_CONFIG;
		return -1;
	}
	if (strncasecmp(o.url, "tls://", 6) == 0 && !o.tls_verify)
		log_msg(LOG_LVL_WARNING, NULL, c->cfg->name,
		    "tls_verify = false: the server's certificate is NOT checked");
	return 0;
}

static void
syslog_fini(struct sink *s)
{
	struct syslogsink *y = sink_common(s)->priv;

	if (y == NULL)
		return;
	syslog_conn_free(y->conn);
	while (y->head != NULL) {
		struct pend *p = y->head;
		y->head = p->next;
		free(p);
	}
	free(y);
	sink_common(s)->priv = NULL;
}

static int
syslog_encode(struct sink *s, const struct sink_doc *doc, struct buf *out,
    struct err *err)
{
	struct syslogsink *y = sink_common(s)->priv;
	struct evfields f;
	struct syslog_msg m;
	int rc;

	if (evfields_get(doc->json, doc->len, &f) != 0) {
		err_set(err, ERR_OTHER, "the event is not a JSON object");
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.pri = -1;
	m.time_ns = doc->time_ns;
	m.hostname = y->hostname;
	m.msgid = evfields_dataset(doc->kind);
	m.source = doc->source;
	m.record_id = f.record_id;
	if (syc(sink_common(s)->cfg)->summary && doc->message != NULL) {
		m.msg = doc->message;
		m.msg_len = strlen(doc->message);
	} else {
		m.msg = doc->json;
		m.msg_len = doc->len;
	}
	rc = syslog_frame(out, &m);
	evfields_free(&f);
	if (rc != 0)
		err_set(err, ERR_OTHER, "out of memory");
	return rc;
}

static int
syslog_assemble(struct sink *s, struct sink_event *const *evs, size_t n, struct buf *out)
{
	(void)s;
	return sink_join_items(out, evs, n, "", "", "");
}

static int
syslog_send(struct sink *s, void *token, const char *body, size_t len, char *errbuf,
    size_t errlen)
{
	struct syslogsink *y = sink_common(s)->priv;
	struct pend *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	p->token = token;
	p->body = body;
	p->len = len;
	if (y->head == NULL) {
		/* The stream is idle: start now; a failure is this call's to report (the
		 * outcome must never come from within send). */
		if (syslog_conn_send(y->conn, body, len, on_sent, y) != 0) {
			free(p);
			snprintf(errbuf, errlen, "out of memory");
			return -1;
		}
		y->busy = 1;
		y->head = y->tail = p;
		return 0;
	}
	y->tail->next = p;
	y->tail = p;
	return 0;
}

static void
syslog_cancel(struct sink *s, void *token)
{
	struct syslogsink *y = sink_common(s)->priv;
	struct pend **pp, *p;

	if (y == NULL)
		return;
	for (pp = &y->head; (p = *pp) != NULL; pp = &p->next) {
		if (p->token != token)
			continue;
		if (p == y->head && y->busy) {
			syslog_conn_cancel(y->conn);
			y->busy = 0;
		}
		*pp = p->next;
		if (y->tail == p) {
			struct pend *t = y->head;
			while (t != NULL && t->next != NULL)
				t = t->next;
			y->tail = t;
		}
		free(p);
		break;
	}
	pump(y);
}

/* A stream is not compressed: gzip would reach the receiver as garbage. */
static void
syslog_check(const struct conf_sink *cfg, struct conf_check *chk)
{
	if (cfg->compression == CONF_COMP_GZIP)
		conf_check_err(chk, conf_check_line(chk, "compression"), "compression",
		    "gzip is not for type syslog (a syslog stream is not compressed)");
}

/* syslog_encode: MSG with syslog_message = summary. */
static int
syslog_uses_summary(const struct conf_sink *cfg)
{
	return syc(cfg)->summary;
}

static const char *const syslog_keys[] = { "url", "tls_verify", "tls_ca_file", NULL };

/* No probe: a connection alone says little, and syslog has nothing to ask. */
const struct sink_ops sink_syslog_ops = {
	.type = "syslog",
	.keys = syslog_keys,
	.conf_keys = syslog_conf_keys,
	.conf_size = sizeof(struct sink_syslog_conf),
	.required = "url",
	.stream_url = 1,
	.check = syslog_check,
	.init = syslog_init,
	.fini = syslog_fini,
	.encode_item = syslog_encode,
	.uses_summary = syslog_uses_summary,
	.assemble = syslog_assemble,
	.send = syslog_send,
	.cancel = syslog_cancel,
};
