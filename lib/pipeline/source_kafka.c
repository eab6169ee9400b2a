/*
 * source_kafka.c — see source_kafka.h.
 *
 * Offsets.  Messages of one partition read in one drain of the consumer queue form one
 * batch with one ack, sealed at the end of the drain; koffsets.h says what may be
 * committed (contiguously acknowledged).  Bad messages (not JSON, not a log entry) are
 * dead-lettered at once and route nothing; they stay inside their batch's range, so the
 * commit passes them with the batch.
 *
 * Nothing here blocks the loop but the exit (leaving the group, bounded; --once's final
 * commit).  An assigned partition resumes at the group's committed offset: rd_kafka_assign with
 * RD_KAFKA_OFFSET_INVALID makes librdkafka fetch it itself.  We want it too
 * (committed_next: the lag's base, and what needs no commit again), and ask for it with
 * the admin request ListConsumerGroupOffsets, whose answer arrives as an event on a
 * queue of ours (aq) that signals the same pipe as the consumer queue.  Rather than a
 * worker thread doing rd_kafka_committed: nothing to join at exit (destroying the handle
 * ends a request in flight; a thread would hold the exit for its timeout), and no state
 * shared across threads.  Rather than the statistics callback's committed_offset: that
 * is librdkafka's value of the moment, which outlives a revoke and comes once a second.
 * Each request is tagged with a number kept in the partitions it asked for; an answer
 * is taken only by a partition still carrying its number, so an answer for a partition
 * revoked (and maybe assigned again, as a new kpart) meanwhile is ignored.  --once takes
 * each partition's high watermark from librdkafka's cache (every fetch response
 * carries it) and knows a partition is read to its end from its PARTITION_EOF event.
 */
#include "source_kafka.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "ack.h"
#include "buf.h"
#include "event.h"
#include "format.h"
#include "kafka_common.h"
#include "koffsets.h"
#include "log.h"
#include "metrics.h"
#include "normalize.h"
#include "region.h"
#include "route.h"
#include "safeopen.h"
#include "sink.h"
#include "timeutil.h"

#define DRAIN_MAX 2000          /* messages per loop turn: other events get their turn */
#define TICK_MS 200             /* commits, revoke waits, --once checks, health */
#define COMMIT_EVERY_MS 1000    /* async commits of acknowledged offsets */
#define BAD_LOG_FIRST 10
#define ERROR_LOG_EVERY_MS 60000
#define CLOSE_MAX_MS 10000      /* leaving the group at exit */
#define BLOCK_PAUSE_MS 1000     /* ... and pause the partitions after this long */
#define COMMITTED_TIMEOUT_MS 30000 /* one request for the group's committed offsets */
#define COMMITTED_RETRY_MS 2000    /* ... asked again this long after a failure */

struct kpart {
	struct kpart *next;
	struct ksource *k;
	char *topic;
	int32_t partition;
	int revoking;           /* revoked: read nothing more, commit, then let go */
	struct koffsets *offs;  /* what may be committed */
	int64_t committed_next; /* what the group has (or we sent); -1 = unknown/none */
	int committed_known;    /* the group's committed offset was learnt (maybe none) */
	uint64_t cfetch_id;     /* the request asking for it now; 0 = none (ask_committed) */
	int64_t once_target;    /* --once: high watermark at assignment; -1 = unknown */
	int64_t eof_at;         /* --once: read to the end at this offset; -1 = not yet */
	int64_t next_expected;  /* after the last message routed; -1 = none yet */
	int64_t gap_checked;    /* next_expected when a jump was last read again; -1 */
	uint64_t records;
};


struct ksource {
	const struct conf_source *cfg;
	struct source_env env;
	struct source_stats *stats;
	struct source *owner;   /* for env.finished */
	int64_t shutdown_timeout_ms;
	rd_kafka_t *rk;
	rd_kafka_queue_t *q;
	rd_kafka_queue_t *aq;   /* answers to our admin requests (committed offsets) */
	uint64_t cfetch_seq;    /* the last committed-offsets request's number */
	int64_t cfetch_retry_mono; /* no new request before (after a failure) */
	int cfetch_err_logged;
	int pipefd[2];
	struct event *pipe_ev, *tick, *again;
	struct route *routes;
	size_t n_routes;
	unsigned formats_used;
	struct route_bufs rb;
	struct buf tmp;
	struct kpart *parts;
	const char *region;     /* the events' cloud.region; NULL = none (not OCI) */
	char region_buf[64];
	int started, stopping, paused, losses, finished_called, assigned_once;
	rd_kafka_topic_partition_list_t *revoke_pending; /* deferred unassign */
	int64_t revoke_deadline_mono;
	int64_t last_commit_mono;
	int64_t down_since_mono;     /* 0 = a broker is reachable (as far as we know) */
	int64_t blocked_since_mono;  /* a routed sink has been full since; 0 = not full */
	uint64_t rebalances;
	char last_err_logged[64];
	int last_err_code;
	int64_t last_err_log_mono;
	int64_t refused_mono;   /* the brokers refused the credentials then; 0 = not */
};

/* --- helpers --------------------------------------------------------------------- */

static void
set_timer(struct event *ev, int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000) };
	evtimer_add(ev, &tv);
}

static int64_t
scaled(const struct ksource *k, int64_t ms)
{
	if (k->env.retry_scale_permille > 0)
		return ms * k->env.retry_scale_permille / 1000;
	return ms;
}

static struct kpart *
part_find(struct ksource *k, const char *topic, int32_t partition)
{
	for (struct kpart *p = k->parts; p != NULL; p = p->next)
		if (p->partition == partition && strcmp(p->topic, topic) == 0)
			return p;
	return NULL;
}

static int
routes_blocked(const struct ksource *k)
{
	for (size_t i = 0; i < k->n_routes; i++)
		if (sink_full(k->routes[i].sink))
			return 1;
	return 0;
}

/* Appends one line to a sink's dead-letter file, created 0600, synced.  0 or -1. */
static int
append_dead_letter(const struct conf_sink *c, const char *line, size_t len)
{
	int fd, rc = 0;

	if (c->dead_letter == NULL)
		return 0;
	fd = safeopen_append(c->dead_letter); /* never blocks on a FIFO, never via a link */
	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t w = write(fd, line, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = -1;
			break;
		}
		line += w;
		len -= (size_t)w;
	}
	if (rc == 0 && fsync(fd) != 0 && errno != EINVAL)
		rc = -1;
	close(fd);
	return rc;
}

/* --- batches and commits --------------------------------------------------------- */

/* End of a drain: every open batch is complete (its ack may fire at once). */
static void
seal_batches(struct ksource *k)
{
	for (struct kpart *p = k->parts; p != NULL; p = p->next)
		koffsets_seal(p->offs);
}

/*
 * Commits acknowledged offsets of every partition (only_revoking: of the revoked ones)
 * that moved since the last commit.  sync: waits (bounded) for the answer.
 */
static void
commit_acked(struct ksource *k, int only_revoking, int sync)
{
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t err;

	if (k->env.mode != SOURCE_MODE_DAEMON && k->env.mode != SOURCE_MODE_ONCE)
		return;
	l = rd_kafka_topic_partition_list_new(4);
	if (l == NULL)
		return;
	for (struct kpart *p = k->parts; p != NULL; p = p->next) {
		if (only_revoking && !p->revoking)
			continue;
		int64_t next = koffsets_next(p->offs);
		if (next < 0 || next == p->committed_next)
			continue;
		rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = next;
	}
	if (l->cnt > 0) {
		err = rd_kafka_commit(k->rk, l, sync ? 0 : 1);
		if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
			log_source(LOG_LVL_WARNING, k->cfg->name, "commit failed (%s): the "
			    "offsets stay where they were; retrying", rd_kafka_err2str(err));
		} else {
			for (int i = 0; i < l->cnt; i++) {
				struct kpart *p = part_find(k, l->elems[i].topic,
				    l->elems[i].partition);
				if (p != NULL)
					p->committed_next = l->elems[i].offset;
			}
			k->stats->cursor_ms = timeutil_now_ms();
		}
	}
	rd_kafka_topic_partition_list_destroy(l);
	k->last_commit_mono = timeutil_mono_ms();
}

/*
 * Asks the group's coordinator for the committed offsets of the partitions that do not
 * know theirs and are not being asked (see the top of the file): one asynchronous
 * request, answered on aq (served by serve_admin).
 */
static void
ask_committed(struct ksource *k)
{
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_ListConsumerGroupOffsets_t *g;
	rd_kafka_AdminOptions_t *o;
	char e[256];

	if (k->aq == NULL || k->stopping || timeutil_mono_ms() < k->cfetch_retry_mono)
		return;
	l = rd_kafka_topic_partition_list_new(4);
	if (l == NULL)
		return;
	for (struct kpart *p = k->parts; p != NULL; p = p->next)
		if (!p->revoking && !p->committed_known && p->cfetch_id == 0)
			rd_kafka_topic_partition_list_add(l, p->topic, p->partition);
	if (l->cnt == 0) {
		rd_kafka_topic_partition_list_destroy(l);
		return;
	}
	g = rd_kafka_ListConsumerGroupOffsets_new(k->cfg->stream.group_id, l);
	o = rd_kafka_AdminOptions_new(k->rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
	if (g != NULL && o != NULL &&
	    rd_kafka_AdminOptions_set_request_timeout(o, COMMITTED_TIMEOUT_MS, e, sizeof(e)) ==
	    RD_KAFKA_RESP_ERR_NO_ERROR) {
		uint64_t id = ++k->cfetch_seq;
		rd_kafka_AdminOptions_set_opaque(o, (void *)(uintptr_t)id);
		rd_kafka_ListConsumerGroupOffsets(k->rk, &g, 1, o, k->aq);
		for (struct kpart *p = k->parts; p != NULL; p = p->next)
			if (!p->revoking && !p->committed_known && p->cfetch_id == 0)
				p->cfetch_id = id;
	} else {
		k->cfetch_retry_mono = timeutil_mono_ms() + COMMITTED_RETRY_MS; /* memory */
	}
	if (g != NULL)
		rd_kafka_ListConsumerGroupOffsets_destroy(g);
	if (o != NULL)
		rd_kafka_AdminOptions_destroy(o);
	rd_kafka_topic_partition_list_destroy(l);
}

/* One answer to ask_committed: taken by the partitions that still wait for it. */
static void
committed_answer(struct ksource *k, rd_kafka_event_t *ev)
{
	uint64_t id = (uint64_t)(uintptr_t)rd_kafka_event_opaque(ev);
	const rd_kafka_ListConsumerGroupOffsets_result_t *res =
	    rd_kafka_event_ListConsumerGroupOffsets_result(ev);
	const rd_kafka_group_result_t **groups = NULL;
	const rd_kafka_topic_partition_list_t *l = NULL;
	const rd_kafka_error_t *ge = NULL;
	size_t n = 0;
	int learnt = 0, failed = 0;
	const char *why = NULL;

	if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR)
		why = rd_kafka_event_error_string(ev);
	else if (res != NULL)
		groups = rd_kafka_ListConsumerGroupOffsets_result_groups(res, &n);
	if (why == NULL && n == 1 && (ge = rd_kafka_group_result_error(groups[0])) != NULL)
		why = rd_kafka_error_string(ge);
	else if (why == NULL && n == 1)
		l = rd_kafka_group_result_partitions(groups[0]);
	for (int i = 0; l != NULL && i < l->cnt; i++) {
		struct kpart *p = part_find(k, l->elems[i].topic, l->elems[i].partition);
		/* Revoked meanwhile (gone, or a new kpart asking with a newer request). */
		if (p == NULL || p->cfetch_id != id || p->revoking)
			continue;
		if (l->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
			why = rd_kafka_err2str(l->elems[i].err);
			continue;
		}
		p->committed_known = 1;
		/* A commit of ours since the question is newer than the answer. */
		if (p->committed_next < 0 && l->elems[i].offset >= 0)
			p->committed_next = l->elems[i].offset;
		log_source(LOG_LVL_DEBUG, k->cfg->name, "%s/%" PRId32 ": the group's committed "
		    "offset is %" PRId64, p->topic, p->partition, l->elems[i].offset);
		learnt++;
	}
	/* Those still without an answer are asked again (after a pause). */
	for (struct kpart *p = k->parts; p != NULL; p = p->next) {
		if (p->cfetch_id != id)
			continue;
		p->cfetch_id = 0;
		if (!p->committed_known)
			failed++;
	}
	if (failed > 0) {
		k->cfetch_retry_mono = timeutil_mono_ms() + COMMITTED_RETRY_MS;
		if (!k->cfetch_err_logged)
			log_source(LOG_LVL_WARNING, k->cfg->name, "cannot read the group's "
			    "committed offsets of %d partition(s) (%s): asking again; until then "
			    "they have no consumer lag metric", failed,
			    why != NULL ? why : "no answer for them");
		k->cfetch_err_logged = 1;
	}
	if (learnt > 0) {
		log_source(LOG_LVL_INFO, k->cfg->name, "learnt the group's committed offsets of "
		    "%d partition(s)", learnt);
		if (failed == 0)
			k->cfetch_err_logged = 0;
	}
}

/* Serves aq: the answers to our admin requests. */
static void
serve_admin(struct ksource *k)
{
	rd_kafka_event_t *ev;

	while (k->aq != NULL && (ev = rd_kafka_queue_poll(k->aq, 0)) != NULL) {
		if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT)
			committed_answer(k, ev);
		rd_kafka_event_destroy(ev);
	}
}

static void
part_free(struct kpart *p)
{
	if (p->offs != NULL && koffsets_losses(p->offs))
		p->k->losses = 1;
	koffsets_free(p->offs);
	free(p->topic);
	free(p);
}

/* --- routing --------------------------------------------------------------------- */

static void
route_event(struct ksource *k, struct ack *ack, const struct event *ev)
{
	route_event_to_sinks(k->routes, k->n_routes, k->formats_used, &k->rb, ev, k->cfg->name,
	    k->region, ack);
}

/*
 * A message that cannot be forwarded: counted, logged (the first few of each cause),
 * written to each routed sink's dead-letter file with its place.  Its offset is
 * committed with its batch: one bad message never blocks a partition.
 */
static void
bad_message(struct ksource *k, const rd_kafka_message_t *m, const char *why)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	char head[512];

	k->stats->bad_records++;
	k->losses = 1;
	if (k->stats->bad_records <= BAD_LOG_FIRST || k->stats->bad_records % 1000 == 0 ||
	    strncmp(k->last_err_logged, why, sizeof(k->last_err_logged) - 1) != 0) {
		snprintf(k->last_err_logged, sizeof(k->last_err_logged), "%s", why);
		log_source(LOG_LVL_WARNING, k->cfg->name, "dead-lettering a message that is "
		    "not a log entry (%s): topic %s partition %" PRId32 " offset %" PRId64
		    " (%llu such messages so far)", why, topic, m->partition, m->offset,
		    (unsigned long long)k->stats->bad_records);
	}
	for (size_t i = 0; i < k->n_routes; i++) {
		const struct conf_sink *c = k->routes[i].cfg;
		struct buf *l = &k->tmp;
		buf_reset(l);
		snprintf(head, sizeof(head), "{\"sink\":");
		if (buf_append_str(l, head) != 0 ||
		    buf_append_json_string(l, c->name, strlen(c->name)) != 0 ||
		    buf_append_str(l, ",\"status\":0,\"reason\":") != 0 ||
		    buf_append_json_string(l, why, strlen(why)) != 0 ||
		    buf_append_str(l, ",\"source\":") != 0 ||
		    buf_append_json_string(l, k->cfg->name, strlen(k->cfg->name)) != 0 ||
		    buf_append_str(l, ",\"topic\":") != 0 ||
		    buf_append_json_string(l, topic, strlen(topic)) != 0 ||
		    buf_printf(l, ",\"partition\":%" PRId32 ",\"offset\":%" PRId64
		        ",\"message\":", m->partition, m->offset) != 0 ||
		    buf_append_json_string(l, m->payload ? m->payload : "", m->len) != 0 ||
		    buf_append_str(l, "}\n") != 0 ||
		    append_dead_letter(c, l->data, l->len) != 0)
			log_source(LOG_LVL_ERROR, k->cfg->name, "cannot write to the dead-letter "
			    "file %s: %s (topic %s partition %" PRId32 " offset %" PRId64 ")",
			    c->dead_letter ? c->dead_letter : "-", safeopen_strerror(errno), topic,
			    m->partition, m->offset);
	}
}

/* One entry (object text): normalized and routed under ack.  0, or -1 with why. */
static int
route_entry(struct ksource *k, struct ack *ack, const char *json, size_t len,
    struct normalize_err *nerr)
{
	const struct event *ev;

	if (normalize_any(k->env.norm, json, len, &ev, nerr) != 0)
		return -1;
	if (ev->partial)
		k->stats->partial_records++;
	k->stats->records++;
	if (k->env.mode == SOURCE_MODE_DRYRUN) {
		struct buf *b = &k->rb.enc[k->env.dryrun_format];
		buf_reset(b);
		if (format_encode(ev, k->env.dryrun_format, k->region, b) == 0) {
			buf_append_char(b, '\n');
			fwrite(b->data, 1, b->len, k->env.dryrun_out);
		}
		return 0;
	}
	route_event(k, ack, ev);
	return 0;
}

static void
handle_message(struct ksource *k, const rd_kafka_message_t *m)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	struct kpart *p = part_find(k, topic, m->partition);
	struct normalize_err nerr;
	struct ack *ack;
	const char *s = m->payload;
	size_t n = m->len;

	/* Not ours (any more), or revoked: the next owner reads it; we never commit it. */
	if (p == NULL || p->revoking)
		return;
	/* Already routed (a re-fetch after a pause): the batch holds it. */
	if (p->next_expected >= 0 && m->offset < p->next_expected)
		return;
	/* Offsets jump: never let the commit pass messages we did not see.  Read again
	 * from the first one missing; a jump that comes back from there is the log's own
	 * (compaction, transaction markers). */
	if (p->next_expected >= 0 && m->offset > p->next_expected &&
	    p->gap_checked != p->next_expected) {
		p->gap_checked = p->next_expected;
		log_source(LOG_LVL_NOTICE, k->cfg->name, "%s/%" PRId32 ": offset %" PRId64
		    " follows %" PRId64 ": reading again from %" PRId64, topic, m->partition,
		    m->offset, p->next_expected - 1, p->next_expected);
		rd_kafka_seek(m->rkt, m->partition, p->next_expected, 0);
		return;
	}
	ack = koffsets_add(p->offs, m->offset);
	if (ack == NULL) {
		/* Out of memory: not routed, so the commit must not pass it: re-read it. */
		log_source(LOG_LVL_ERROR, k->cfg->name, "out of memory: seeking back to offset "
		    "%" PRId64 " of %s/%" PRId32, m->offset, topic, m->partition);
		rd_kafka_seek(m->rkt, m->partition, m->offset, 0);
		return;
	}
	p->next_expected = m->offset + 1;
	p->records++;
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
		s++;
		n--;
	}
	if (n > 0 && *s == '[') {
		/* A JSON array of entries: each one on its own. */
		json_error_t jerr;
		json_t *a = json_loadb(s, n, 0, &jerr);
		size_t i;
		json_t *el;
		if (a == NULL || !json_is_array(a)) {
			json_decref(a);
			bad_message(k, m, "not valid JSON");
			return;
		}
		size_t nbad = 0, na = json_array_size(a);
		char why[320] = "";
		json_array_foreach(a, i, el) {
			char *t = json_is_object(el) ? json_dumps(el, JSON_COMPACT) : NULL;
			if (t == NULL || route_entry(k, ack, t, strlen(t), &nerr) != 0) {
				/* One count and one dead letter per message, naming the first. */
				if (nbad++ == 0)
					snprintf(why, sizeof(why), "array item %zu: %s", i,
					    t == NULL ? "not a log entry object" : nerr.msg);
			}
			free(t);
		}
		json_decref(a);
		if (nbad > 0) {
			char msg[400];
			snprintf(msg, sizeof(msg), "%zu of %zu array items are not log entries "
			    "(%s)", nbad, na, why);
			bad_message(k, m, msg);
		}
		return;
	}
	if (n == 0 || *s != '{') {
		bad_message(k, m, n == 0 ? "empty message" : "not a JSON object");
		return;
	}
	if (k->cfg->max_record_bytes > 0 && (int64_t)n > k->cfg->max_record_bytes) {
		bad_message(k, m, "larger than max_record_bytes");
		return;
	}
	if (route_entry(k, ack, s, n, &nerr) != 0)
		bad_message(k, m, nerr.msg);
}

/* --- backpressure, --once, revoke ------------------------------------------------ */

static void
pause_all(struct ksource *k, int pause)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);

	if (l == NULL)
		return;
	for (struct kpart *p = k->parts; p != NULL; p = p->next) {
		rd_kafka_topic_partition_t *t = rd_kafka_topic_partition_list_add(l, p->topic,
		    p->partition);
		(void)t;
	}
	if (l->cnt > 0) {
		if (pause)
			rd_kafka_pause_partitions(k->rk, l);
		else
			rd_kafka_resume_partitions(k->rk, l);
	}
	log_source(LOG_LVL_DEBUG, k->cfg->name, "%s %d partition(s)%s", pause ? "paused" :
	    "resumed", l->cnt, pause ? ": a sink queue is full" : "");
	rd_kafka_topic_partition_list_destroy(l);
	k->paused = pause;
}

static int
busy_revoking(const struct ksource *k)
{
	for (const struct kpart *p = k->parts; p != NULL; p = p->next)
		if (p->revoking && koffsets_busy(p->offs))
			return 1;
	return 0;
}

/* Revoked partitions are finished (or the wait is over): commit, then let go. */
static void
finish_revoke(struct ksource *k)
{
	struct kpart **pp = &k->parts;
	rd_kafka_error_t *e = NULL;
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;

	if (k->revoke_pending == NULL)
		return;
	if (busy_revoking(k))
		log_source(LOG_LVL_NOTICE, k->cfg->name, "revoked partitions still have events "
		    "in flight after shutdown_timeout: committing what was acknowledged; the "
		    "new owner reads the rest again (duplicates, never a gap)");
	/* Async, never blocking the loop: it is queued before the unassign below, so it is
	 * sent with this generation, before the group moves on. */
	commit_acked(k, 1, 0);
	while (*pp != NULL) {
		struct kpart *p = *pp;
		if (p->revoking) {
			*pp = p->next;
			part_free(p);
		} else {
			pp = &p->next;
		}
	}
	if (rd_kafka_rebalance_protocol(k->rk) != NULL &&
	    strcmp(rd_kafka_rebalance_protocol(k->rk), "COOPERATIVE") == 0)
		e = rd_kafka_incremental_unassign(k->rk, k->revoke_pending);
	else
		err = rd_kafka_assign(k->rk, NULL);
	if (e != NULL) {
		log_source(LOG_LVL_WARNING, k->cfg->name, "unassign: %s", rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
	} else if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
		log_source(LOG_LVL_WARNING, k->cfg->name, "unassign: %s", rd_kafka_err2str(err));
	}
	rd_kafka_topic_partition_list_destroy(k->revoke_pending);
	k->revoke_pending = NULL;
}

static void
check_once(struct ksource *k)
{
	if (k->env.mode == SOURCE_MODE_DAEMON || k->finished_called || !k->assigned_once)
		return;
	/* Every partition's target first, as soon as it is known: the high watermark of
	 * its first fetch response (librdkafka's cache: asking the broker would block),
	 * not whatever it has grown to when an earlier partition is done. */
	for (struct kpart *p = k->parts; p != NULL; p = p->next) {
		int64_t lo = -1, hi = -1;
		if (p->once_target >= 0)
			continue;
		if (rd_kafka_get_watermark_offsets(k->rk, p->topic, p->partition, &lo, &hi) !=
		    RD_KAFKA_RESP_ERR_NO_ERROR || hi < 0)
			return;
		p->once_target = hi;
	}
	for (struct kpart *p = k->parts; p != NULL; p = p->next) {
		if (koffsets_busy(p->offs))
			return;
		/* Read to its end with nothing held: an empty partition, one read to its end
		 * before, or one that ends in offsets without messages (transaction
		 * markers): done at the end's offset. */
		if (p->eof_at >= 0 && koffsets_next(p->offs) < p->eof_at)
			koffsets_set_next(p->offs, p->eof_at);
		if (koffsets_next(p->offs) < p->once_target)
			return;
	}
	if (k->env.mode != SOURCE_MODE_DRYRUN)
		commit_acked(k, 0, 1);
	k->finished_called = 1;
	k->stopping = 1;
	if (k->env.finished != NULL)
		k->env.finished(k->env.arg, k->owner);
}

/* --- librdkafka callbacks (all served from rd_kafka_consumer_poll) ---------------- */

static void
on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
    void *opaque)
{
	struct ksource *k = opaque;

	k->rebalances++;
	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		for (int i = 0; i < parts->cnt; i++) {
			struct kpart *p;
			if (part_find(k, parts->elems[i].topic, parts->elems[i].partition) != NULL)
				continue;
			p = calloc(1, sizeof(*p));
			if (p == NULL || (p->topic = strdup(parts->elems[i].topic)) == NULL ||
			    (p->offs = koffsets_new()) == NULL) {
				if (p != NULL)
					free(p->topic);
				free(p);
				log_source(LOG_LVL_ERROR, k->cfg->name, "out of memory: partition "
				    "%" PRId32 " is assigned but not read", parts->elems[i].partition);
				continue;
			}
			p->k = k;
			p->partition = parts->elems[i].partition;
			p->committed_next = -1;
			p->once_target = p->eof_at = p->next_expected = p->gap_checked = -1;
			p->next = k->parts;
			k->parts = p;
		}
		/* Reading goes on at the group's committed offset (`start` where there is
		 * none): librdkafka fetches it itself for an INVALID offset, without blocking
		 * us.  We ask for it too (the lag's base): the answer comes to serve_admin. */
		for (int i = 0; i < parts->cnt; i++)
			parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
		log_source(LOG_LVL_INFO, k->cfg->name, "assigned %d partition(s) of %s (group %s)",
		    parts->cnt, parts->cnt > 0 ? parts->elems[0].topic : "-",
		    k->cfg->stream.group_id);
		if (rd_kafka_rebalance_protocol(rk) != NULL &&
		    strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0) {
			rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, parts);
			if (e != NULL)
				rd_kafka_error_destroy(e);
		} else {
			rd_kafka_assign(rk, parts);
		}
		k->assigned_once = 1;
		ask_committed(k);
		/* A partition we paused when it was revoked stays paused in librdkafka when
		 * it comes back: resume it (or pause all while a sink is full). */
		if (k->paused)
			pause_all(k, 1);
		else
			rd_kafka_resume_partitions(rk, parts);
		return;
	}
	/* Revoked: stop reading them now; commit and let go when their events are
	 * acknowledged, or after shutdown_timeout (tick), or now when stopping. */
	log_source(LOG_LVL_INFO, k->cfg->name, "%d partition(s) revoked (rebalance): "
	    "finishing their in-flight events before letting go", parts->cnt);
	for (int i = 0; i < parts->cnt; i++) {
		struct kpart *p = part_find(k, parts->elems[i].topic, parts->elems[i].partition);
		if (p != NULL)
			p->revoking = 1;
	}
	rd_kafka_pause_partitions(rk, parts);
	if (k->revoke_pending != NULL)
		rd_kafka_topic_partition_list_destroy(k->revoke_pending);
	k->revoke_pending = rd_kafka_topic_partition_list_copy(parts);
	k->revoke_deadline_mono = timeutil_mono_ms() + k->shutdown_timeout_ms;
	if (k->stopping || !busy_revoking(k))
		finish_revoke(k);
}

/* An async commit that failed: forget what we thought the group has, so the next tick
 * commits those partitions again (the offsets only ever move forward). */
static void
on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *offs,
    void *opaque)
{
	struct ksource *k = opaque;

	if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET ||
	    offs == NULL)
		return;
	for (int i = 0; i < offs->cnt; i++) {
		struct kpart *p = part_find(k, offs->elems[i].topic, offs->elems[i].partition);
		if (p != NULL && (offs->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
		        err != RD_KAFKA_RESP_ERR_NO_ERROR))
			p->committed_next = -1;
	}
	log_source(LOG_LVL_WARNING, k->cfg->name, "commit failed (%s): committing again",
	    rd_kafka_err2str(err));
}

/* How the source reaches its brokers (borrowed from cfg). */
static void
security_of(const struct conf_source *cfg, struct kafka_security *ks)
{
	const struct conf_streaming *s = &cfg->stream;

	memset(ks, 0, sizeof(*ks));
	ks->bootstrap_servers = s->bootstrap_servers;
	ks->protocol = s->security_protocol;
	ks->mechanism = s->sasl_mechanism;
	ks->username = s->sasl_username;
	ks->password = s->sasl_password;
	ks->password_key = s->sasl_password_file != NULL ? "sasl_password_file" :
	    "sasl_password";
	ks->tls_ca_file = s->tls_ca_file;
}

/* 1 while the brokers refuse the credentials: refused, and no broker up since (on_stats
 * notes a broker up only once authenticated). */
static int
refused(const struct ksource *k)
{
	return k->refused_mono != 0 && k->stats->last_success_mono_ms <= k->refused_mono;
}

static void
on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct ksource *k = opaque;
	const char *fix = "";

	if (kafka_err_is_auth(err)) {
		/* Once per refusal, with its cause: librdkafka reconnects (and is refused
		 * again) every few seconds. */
		struct kafka_security ks;
		char cause[768];
		int again = refused(k);

		k->refused_mono = timeutil_mono_ms();
		if (k->refused_mono <= k->stats->last_success_mono_ms)
			k->refused_mono = k->stats->last_success_mono_ms + 1;
		if (!again) {
			security_of(k->cfg, &ks);
			kafka_refusal_cause(&ks, cause, sizeof(cause));
			snprintf(k->stats->last_error, sizeof(k->stats->last_error),
			    "credentials refused: %.230s", cause);
			log_source(LOG_LVL_ERROR, k->cfg->name, "kafka: the brokers refused the "
			    "credentials (%s): %s", reason, cause);
		}
		if (k->env.mode != SOURCE_MODE_DAEMON && !k->finished_called) {
			k->finished_called = 1;
			k->stopping = 1;
			if (k->env.finished != NULL)
				k->env.finished(k->env.arg, k->owner);
		}
		return;
	}
	/* The disconnects that follow each refusal say nothing new. */
	if (refused(k) && (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
	    err == RD_KAFKA_RESP_ERR__TRANSPORT)) {
		if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && k->down_since_mono == 0)
			k->down_since_mono = timeutil_mono_ms();
		return;
	}
	switch (err) {
	case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
	case RD_KAFKA_RESP_ERR__TRANSPORT:
	case RD_KAFKA_RESP_ERR__RESOLVE:
		if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && k->down_since_mono == 0)
			k->down_since_mono = timeutil_mono_ms();
		fix = "; check bootstrap_servers and that this host can reach them";
		break;
	case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
		fix = "; check `topic` (the stream's name) and that the stream pool is the one "
		      "in sasl_username";
		break;
	case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
		fix = "; an IAM policy must allow the user `use stream-pull` on the stream (and "
		      "the group)";
		break;
	default:
		break;
	}
	snprintf(k->stats->last_error, sizeof(k->stats->last_error), "%s: %s",
	    rd_kafka_err2name(err), reason);
	/* One line per cause a minute: a dead broker fails every reconnect. */
	if (err != k->last_err_code ||
	    timeutil_mono_ms() - k->last_err_log_mono >= ERROR_LOG_EVERY_MS) {
		k->last_err_code = err;
		k->last_err_log_mono = timeutil_mono_ms();
		log_source(LOG_LVL_WARNING, k->cfg->name, "kafka: %s: %s%s",
		    rd_kafka_err2name(err), reason, fix);
	}
}

/* librdkafka's statistics: are any of the cluster's brokers (nodeid >= 0) up? */
static int
on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
	struct ksource *k = opaque;
	json_t *root = json_loadb(json, len, 0, NULL), *brokers, *b;
	const char *name;
	int up = 0;

	brokers = root != NULL ? json_object_get(root, "brokers") : NULL;
	json_object_foreach(brokers, name, b) {
		json_t *st = json_object_get(b, "state");
		if (json_integer_value(json_object_get(b, "nodeid")) >= 0 && json_is_string(st) &&
		    strcmp(json_string_value(st), "UP") == 0)
			up = 1;
	}
	if (up) {
		if (k->down_since_mono != 0)
			log_source(LOG_LVL_NOTICE, k->cfg->name, "brokers reachable again");
		k->down_since_mono = 0;
		k->stats->last_success_mono_ms = timeutil_mono_ms();
	} else if (root != NULL && k->down_since_mono == 0) {
		k->down_since_mono = timeutil_mono_ms();
	}
	json_decref(root);
	return 0; /* librdkafka frees json */
}

static void
on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	struct ksource *k = rd_kafka_opaque(rk);

	/* Errors reach on_error (one line per cause, rate-limited); librdkafka's own log
	 * repeats each connection failure, so it is debug output except the critical. */
	log_source(level <= 2 ? LOG_LVL_WARNING : LOG_LVL_DEBUG,
	    k != NULL ? k->cfg->name : "kafka", "librdkafka %s: %s", fac, buf);
}

/* --- the loop -------------------------------------------------------------------- */

/*
 * Backpressure.  A full sink first only stops the polling: the messages wait in
 * librdkafka's queue (its prefetch bound stops the fetching) until the sink has room: its
 * space callback wakes us (ksource_wake), or, should room come some other way, the
 * fallback re-check (SOURCE_BACKPRESSURE_FALLBACK_MS).  Only when the sink stays full for
 * BLOCK_PAUSE_MS are the partitions paused, so that polling (rebalances, errors) can go
 * on: a pause discards the prefetched messages (they are fetched again on resume), too
 * costly for the short stalls of a busy sink.
 */
static int
held_back(struct ksource *k)
{
	int64_t mono = timeutil_mono_ms();

	if (k->stopping)
		return 0;
	if (!routes_blocked(k)) {
		k->blocked_since_mono = 0;
		if (k->paused)
			pause_all(k, 0);
		return 0;
	}
	if (k->blocked_since_mono == 0)
		k->blocked_since_mono = mono;
	set_timer(k->again, k->env.backpressure_fallback_ms > 0 ?
	    k->env.backpressure_fallback_ms : SOURCE_BACKPRESSURE_FALLBACK_MS);
	if (k->paused)
		return 0; /* nothing is fetched: poll for events */
	if (mono - k->blocked_since_mono < BLOCK_PAUSE_MS)
		return 1;
	pause_all(k, 1);
	return 0;
}

static void
drain(struct ksource *k)
{
	int n = 0;
	rd_kafka_message_t *m;

	if (k->rk == NULL || k->finished_called || held_back(k))
		return;
	while (n < DRAIN_MAX && (m = rd_kafka_consumer_poll(k->rk, 0)) != NULL) {
		n++;
		if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			if (!k->stopping)
				handle_message(k, m);
		} else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			/* (--once only) Every message before it was handed to us before it:
			 * the partition is read to m->offset. */
			struct kpart *p = m->rkt != NULL ? part_find(k, rd_kafka_topic_name(m->rkt),
			    m->partition) : NULL;
			if (p != NULL && !p->revoking && m->offset >= p->next_expected)
				p->eof_at = m->offset;
		} else {
			on_error(k->rk, m->err, rd_kafka_message_errstr(m), k);
		}
		rd_kafka_message_destroy(m);
		if (!k->paused && !k->stopping && routes_blocked(k)) {
			held_back(k);
			n = 0;
			break;
		}
	}
	seal_batches(k);
	if (n >= DRAIN_MAX)
		event_active(k->again, EV_TIMEOUT, 0); /* more to read: after other events */
	k->stats->last_success_mono_ms = n > 0 ? timeutil_mono_ms() :
	    k->stats->last_success_mono_ms;
}

static void
pipe_cb(evutil_socket_t fd, short what, void *arg)
{
	char b[256];

	while (read(fd, b, sizeof(b)) > 0)
		;
	serve_admin(arg);
	drain(arg);
}

static void
again_cb(evutil_socket_t fd, short what, void *arg)
{
	drain(arg);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ksource *k = arg;
	int64_t mono = timeutil_mono_ms();

	serve_admin(k);
	drain(k);
	ask_committed(k); /* those whose answer failed */
	if (k->revoke_pending != NULL && (!busy_revoking(k) || mono >= k->revoke_deadline_mono))
		finish_revoke(k);
	if (!k->stopping && mono - k->last_commit_mono >= COMMIT_EVERY_MS)
		commit_acked(k, 0, 0);
	/* Idle counts as progress for the health watch: nothing is held back. */
	{
		int held = 0;
		for (struct kpart *p = k->parts; p != NULL; p = p->next)
			if (koffsets_busy(p->offs) || koffsets_next(p->offs) != p->committed_next)
				held = 1;
		if (!held)
			k->stats->cursor_ms = timeutil_now_ms();
	}
	check_once(k);
	if (!k->finished_called)
		set_timer(k->tick, TICK_MS);
}

/* --- API ------------------------------------------------------------------------- */

static int
set(rd_kafka_conf_t *c, const char *name, const char *value, char *err, size_t errlen)
{
	char e[256];

	if (value == NULL)
		return 0;
	if (rd_kafka_conf_set(c, name, value, e, sizeof(e)) != RD_KAFKA_CONF_OK) {
		snprintf(err, errlen, "%s: %s", name, e);
		return -1;
	}
	return 0;
}

/* The librdkafka configuration of a [source] type = streaming; NULL with err. */
static rd_kafka_conf_t *
make_conf(const struct conf_source *cfg, char *err, size_t errlen)
{
	const struct conf_streaming *s = &cfg->stream;
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	struct kafka_security ks;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	security_of(cfg, &ks);
	if (kafka_conf_security(c, &ks, err, errlen) != 0 ||
	    set(c, "group.id", s->group_id, err, errlen) ||
	    /* Offsets are committed by us, only when acknowledged. */
	    set(c, "enable.auto.commit", "false", err, errlen) ||
	    set(c, "enable.auto.offset.store", "false", err, errlen) ||
	    set(c, "auto.offset.reset", s->start_latest ? "latest" : "earliest", err, errlen) ||
	    set(c, "partition.assignment.strategy", "roundrobin", err, errlen) ||
	    set(c, "statistics.interval.ms", "1000", err, errlen) ||
	    /* Prefetch: at most 16 MiB a partition (the default is 64).  A pause
	     * discards what was prefetched, so it does not bound backpressure. */
	    set(c, "queued.max.messages.kbytes", "16384", err, errlen) ||
	    set(c, "client.id", "oci-logfwd", err, errlen))
		goto bad;
	{
		const char *extra = getenv("OCI_LOGFWD_TEST_KAFKA_SESSION_TIMEOUT_MS");
		/* Tests only: a killed member is noticed sooner than the default 45 s. */
		if (extra != NULL && set(c, "session.timeout.ms", extra, err, errlen))
			goto bad;
		if (extra != NULL && set(c, "heartbeat.interval.ms", "500", err, errlen))
			goto bad;
	}
	return c;
bad:
	rd_kafka_conf_destroy(c);
	return NULL;
}

struct ksource *
ksource_new(const struct conf_source *cfg, const struct source_env *env,
    struct source *owner, struct source_stats *stats, char *err, size_t errlen)
{
	struct ksource *k = calloc(1, sizeof(*k));
	rd_kafka_conf_t *c = NULL;
	char e[512];

	if (k == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->cfg = cfg;
	k->env = *env;
	k->stats = stats;
	k->owner = owner;
	k->shutdown_timeout_ms = env->shutdown_timeout_ms;
	k->pipefd[0] = k->pipefd[1] = -1;
	/* cloud.region, as a search source gives its region: the stream's. */
	if (cfg->stream.region != NULL)
		k->region = cfg->stream.region;
	else if (cfg->stream.bootstrap_servers != NULL &&
	    region_from_streaming(cfg->stream.bootstrap_servers, k->region_buf,
	        sizeof(k->region_buf)) == 0)
		k->region = k->region_buf;
	route_bufs_init(&k->rb);
	buf_init(&k->tmp, 0);
	c = make_conf(cfg, err, errlen);
	if (c == NULL)
		goto fail;
	/* --once / --dry-run: where each partition ends (check_once). */
	if (env->mode != SOURCE_MODE_DAEMON &&
	    set(c, "enable.partition.eof", "true", err, errlen) != 0)
		goto fail;
	rd_kafka_conf_set_opaque(c, k);
	rd_kafka_conf_set_rebalance_cb(c, on_rebalance);
	rd_kafka_conf_set_error_cb(c, on_error);
	rd_kafka_conf_set_offset_commit_cb(c, on_commit);
	rd_kafka_conf_set_stats_cb(c, on_stats);
	rd_kafka_conf_set_log_cb(c, on_log);
	k->rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof(e));
	if (k->rk == NULL) {
		snprintf(err, errlen, "kafka: %s", e);
		goto fail;
	}
	c = NULL; /* owned by rk now */
	rd_kafka_poll_set_consumer(k->rk);
	k->q = rd_kafka_queue_get_consumer(k->rk);
	k->aq = rd_kafka_queue_new(k->rk);
	if (k->q == NULL || k->aq == NULL || pipe(k->pipefd) != 0)
		goto oom;
	for (int i = 0; i < 2; i++) {
		fcntl(k->pipefd[i], F_SETFL, fcntl(k->pipefd[i], F_GETFL) | O_NONBLOCK);
		fcntl(k->pipefd[i], F_SETFD, FD_CLOEXEC);
	}
	rd_kafka_queue_io_event_enable(k->q, k->pipefd[1], "1", 1);
	rd_kafka_queue_io_event_enable(k->aq, k->pipefd[1], "1", 1);
	k->pipe_ev = event_new(env->base, k->pipefd[0], EV_READ | EV_PERSIST, pipe_cb, k);
	k->tick = evtimer_new(env->base, tick_cb, k);
	k->again = evtimer_new(env->base, again_cb, k);
	if (k->pipe_ev == NULL || k->tick == NULL || k->again == NULL)
		goto oom;
	return k;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	if (c != NULL)
		rd_kafka_conf_destroy(c);
	ksource_free(k);
	return NULL;
}

int
ksource_set_routes(struct ksource *k, struct sink *const *sinks,
    const struct conf_sink *const *cfgs, size_t n)
{
	struct route *r;

	if (route_table_new(sinks, cfgs, n, &r, &k->formats_used) != 0)
		return -1;
	free(k->routes);
	k->routes = r;
	k->n_routes = n;
	/* A reload may have replaced the full sink it waits for: no space callback would
	 * tell it. */
	ksource_wake(k);
	return 0;
}

void
ksource_wake(struct ksource *k)
{
	/* From the loop: the caller may be a sink in the middle of its dispatch. */
	if (k->rk != NULL && !k->finished_called && k->blocked_since_mono != 0)
		event_active(k->again, EV_TIMEOUT, 0);
}

int
ksource_start(struct ksource *k)
{
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t err;

	if (k->env.mode == SOURCE_MODE_BACKFILL) {
		/* A time range means nothing to a stream read by offsets: nothing to do. */
		log_source(LOG_LVL_NOTICE, k->cfg->name, "--from/--to reads search sources "
		    "only: skipping this streaming source");
		k->finished_called = 1;
		if (k->env.finished != NULL)
			k->env.finished(k->env.arg, k->owner);
		return 0;
	}
	l = rd_kafka_topic_partition_list_new((int)k->cfg->stream.topics.n);
	if (l == NULL)
		return -1;
	for (size_t i = 0; i < k->cfg->stream.topics.n; i++)
		rd_kafka_topic_partition_list_add(l, k->cfg->stream.topics.items[i],
		    RD_KAFKA_PARTITION_UA);
	err = rd_kafka_subscribe(k->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
		log_source(LOG_LVL_ERROR, k->cfg->name, "cannot subscribe: %s",
		    rd_kafka_err2str(err));
		return -1;
	}
	log_source(LOG_LVL_INFO, k->cfg->name, "joining group %s on %s",
	    k->cfg->stream.group_id, k->cfg->stream.bootstrap_servers);
	k->started = 1;
	event_add(k->pipe_ev, NULL);
	set_timer(k->tick, 0);
	return 0;
}

void
ksource_stop_polling(struct ksource *k)
{
	if (k == NULL || k->stopping)
		return;
	k->stopping = 1;
	/* Still served by the tick: acknowledgements move the commit until freed. */
}

/*
 * Leaves the group (the revoke callback commits and unassigns), served here for at most
 * CLOSE_MAX_MS: with the brokers gone it cannot finish, and the group notices the member
 * is gone after its session timeout anyway.
 */
static void
close_consumer(struct ksource *k)
{
	int64_t end = timeutil_mono_ms() + (k->shutdown_timeout_ms < CLOSE_MAX_MS ?
	    k->shutdown_timeout_ms : CLOSE_MAX_MS);
	rd_kafka_queue_t *cq = rd_kafka_queue_new(k->rk);
	rd_kafka_error_t *e;

	if (cq == NULL)
		return;
	e = rd_kafka_consumer_close_queue(k->rk, cq);
	if (e != NULL) {
		log_source(LOG_LVL_WARNING, k->cfg->name, "leaving the group: %s",
		    rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
	} else {
		while (!rd_kafka_consumer_closed(k->rk) && timeutil_mono_ms() < end)
			rd_kafka_queue_poll_callback(cq, 100);
		if (!rd_kafka_consumer_closed(k->rk))
			log_source(LOG_LVL_WARNING, k->cfg->name, "could not leave the group "
			    "cleanly (brokers unreachable?): the group reassigns this member's "
			    "partitions after its session timeout; offsets not committed are "
			    "read again");
	}
	rd_kafka_queue_destroy(cq);
}

void
ksource_free(struct ksource *k)
{
	if (k == NULL)
		return;
	k->stopping = 1;
	if (k->rk != NULL) {
		/* Async: leaving the group waits for it (bounded); a synchronous commit with
		 * no reachable coordinator would block the exit for minutes. */
		commit_acked(k, 0, 0);
		if (k->started)
			close_consumer(k);
		if (k->revoke_pending != NULL)
			rd_kafka_topic_partition_list_destroy(k->revoke_pending);
		if (k->q != NULL) {
			rd_kafka_queue_io_event_enable(k->q, -1, NULL, 0);
			rd_kafka_queue_destroy(k->q);
		}
		if (k->aq != NULL) {
			/* A request in flight ends with the handle. */
			rd_kafka_queue_io_event_enable(k->aq, -1, NULL, 0);
			rd_kafka_queue_destroy(k->aq);
		}
		rd_kafka_destroy_flags(k->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
	}
	while (k->parts != NULL) {
		struct kpart *p = k->parts;
		k->parts = p->next;
		part_free(p);
	}
	if (k->pipe_ev != NULL)
		event_free(k->pipe_ev);
	if (k->tick != NULL)
		event_free(k->tick);
	if (k->again != NULL)
		event_free(k->again);
	if (k->pipefd[0] >= 0)
		close(k->pipefd[0]);
	if (k->pipefd[1] >= 0)
		close(k->pipefd[1]);
	route_bufs_cleanup(&k->rb);
	buf_cleanup(&k->tmp);
	free(k->routes);
	free(k);
}

int
ksource_busy(const struct ksource *k)
{
	for (const struct kpart *p = k->parts; p != NULL; p = p->next)
		if (koffsets_busy(p->offs))
			return 1;
	return 0;
}

int
ksource_healthy(const struct ksource *k)
{
	if (refused(k))
		return 0;
	return k->down_since_mono == 0 ||
	    timeutil_mono_ms() - k->down_since_mono <= scaled(k, SOURCE_WAIT_UNHEALTHY_MS);
}

int
ksource_had_losses(const struct ksource *k)
{
	if (k->refused_mono != 0)
		return SOURCE_REFUSED;
	for (const struct kpart *p = k->parts; p != NULL; p = p->next)
		if (koffsets_losses(p->offs))
			return 1;
	return k->losses;
}

int
ksource_metrics(struct ksource *const *ks, size_t n, struct buf *out)
{
	int rc = 0;
	char num[32];

	rc |= metrics_family(out, "oci_logfwd_source_consumer_lag", "gauge",
	    "Messages behind the partition's high watermark (streaming sources).");
	for (size_t i = 0; i < n; i++) {
		if (ks[i] == NULL)
			continue;
		for (struct kpart *p = ks[i]->parts; p != NULL; p = p->next) {
			int64_t lo = 0, hi = 0, base;
			const char *l[] = { "source", ks[i]->cfg->name, "topic", p->topic,
				"partition", num, NULL };
			/* No base yet: the group's offset is being asked for (ask_committed). */
			if (p->committed_next < 0 && !p->committed_known)
				continue;
			if (rd_kafka_get_watermark_offsets(ks[i]->rk, p->topic, p->partition, &lo,
			        &hi) != RD_KAFKA_RESP_ERR_NO_ERROR || hi < 0)
				continue;
			base = p->committed_next >= 0 ? p->committed_next : lo;
			snprintf(num, sizeof(num), "%" PRId32, p->partition);
			rc |= metrics_sample(out, "oci_logfwd_source_consumer_lag", l,
			    (double)(hi > base ? hi - base : 0));
		}
	}
	rc |= metrics_family(out, "oci_logfwd_source_rebalances_total", "counter",
	    "Consumer group rebalances seen (streaming sources).");
	for (size_t i = 0; i < n; i++) {
		const char *l[] = { "source", ks[i] ? ks[i]->cfg->name : "", NULL };
		if (ks[i] != NULL)
			rc |= metrics_sample(out, "oci_logfwd_source_rebalances_total", l,
			    (double)ks[i]->rebalances);
	}
	rc |= metrics_family(out, "oci_logfwd_source_partitions_owned", "gauge",
	    "Partitions assigned to this daemon (streaming sources).");
	for (size_t i = 0; i < n; i++) {
		const char *l[] = { "source", ks[i] ? ks[i]->cfg->name : "", NULL };
		double owned = 0;
		if (ks[i] == NULL)
			continue;
		for (struct kpart *p = ks[i]->parts; p != NULL; p = p->next)
			owned += !p->revoking;
		rc |= metrics_sample(out, "oci_logfwd_source_partitions_owned", l, owned);
	}
	return rc;
}

/* --- --probe ---------------------------------------------------------------------- */

/* The fix for a probe's failure with librdkafka's error err. */
static void
probe_fix_for(const struct conf_source *cfg, int err, struct buf *fix)
{
	struct kafka_security ks;
	char cause[768];

	if (kafka_err_is_auth(err)) {
		security_of(cfg, &ks);
		kafka_refusal_cause(&ks, cause, sizeof(cause));
		buf_printf(fix, "The brokers refused the credentials: %s.", cause);
		return;
	}
	switch (err) {
	case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
		buf_printf(fix, "Check `topic` (the stream's name) and that the stream pool in "
		    "sasl_username is the stream's.");
		break;
	case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
		buf_printf(fix, "An IAM policy must allow the user to read the stream, e.g. "
		    "\"Allow group <group> to use stream-pull in compartment <compartment>\".");
		break;
	default:
		buf_printf(fix, "Check bootstrap_servers (%s), security_protocol and that this "
		    "host can reach the brokers.", cfg->stream.bootstrap_servers);
		break;
	}
}

int
ksource_probe(const struct conf_source *cfg, int timeout_ms, struct buf *detail,
    struct buf *fix)
{
	struct kafka_probe_seen ps;
	rd_kafka_conf_t *c;
	rd_kafka_t *rk;
	char e[512];
	int rc = 0;

	c = make_conf(cfg, e, sizeof(e));
	if (c == NULL) {
		buf_printf(detail, "kafka configuration: %s", e);
		buf_printf(fix, "Fix [source %s].", cfg->name);
		return -1;
	}
	kafka_probe_watch(c, &ps);
	rd_kafka_conf_set_log_cb(c, NULL);
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof(e));
	if (rk == NULL) {
		rd_kafka_conf_destroy(c);
		buf_printf(detail, "kafka: %s", e);
		buf_printf(fix, "Fix [source %s].", cfg->name);
		return -1;
	}
	buf_printf(detail, "bootstrap %s, group %s", cfg->stream.bootstrap_servers,
	    cfg->stream.group_id);
	for (size_t t = 0; t < cfg->stream.topics.n && rc == 0; t++) {
		const char *topic = cfg->stream.topics.items[t];
		const struct rd_kafka_metadata *md = NULL;
		/* Ends early when the brokers refuse the credentials. */
		rd_kafka_resp_err_t err = kafka_probe_metadata(rk, topic, timeout_ms, &ps, &md);
		rd_kafka_topic_partition_list_t *l = NULL;
		int64_t lag = 0, never = 0;

		if (kafka_err_is_auth(err)) {
			buf_printf(detail, "; the brokers refused the credentials (%s)", ps.reason);
			probe_fix_for(cfg, err, fix);
			rc = -1;
		} else if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
			int why = ps.err != 0 && err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART &&
			    err != RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ? ps.err : (int)err;
			buf_printf(detail, "; topic %s: %s%s%s", topic, rd_kafka_err2str(err),
			    ps.err != 0 ? " (" : "", ps.err != 0 ? ps.reason : "");
			if (ps.err != 0)
				buf_append_char(detail, ')');
			probe_fix_for(cfg, why, fix);
			rc = -1;
		} else {
			int n = md->topics[0].partition_cnt;
			l = rd_kafka_topic_partition_list_new(n > 0 ? n : 1);
			for (int i = 0; l != NULL && i < n; i++)
				rd_kafka_topic_partition_list_add(l, topic,
				    md->topics[0].partitions[i].id);
			err = l == NULL ? RD_KAFKA_RESP_ERR__FAIL :
			    rd_kafka_committed(rk, l, timeout_ms);
			if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
				buf_printf(detail, "; topic %s: %d partitions; the group's offsets: %s",
				    topic, n, rd_kafka_err2str(err));
				probe_fix_for(cfg, (int)err, fix);
				rc = -1;
			} else {
				for (int i = 0; i < l->cnt; i++) {
					int64_t lo = 0, hi = 0, base;
					if (rd_kafka_query_watermark_offsets(rk, topic,
					        l->elems[i].partition, &lo, &hi, timeout_ms) !=
					    RD_KAFKA_RESP_ERR_NO_ERROR)
						continue;
					if (l->elems[i].offset < 0)
						never++;
					base = l->elems[i].offset >= 0 ? l->elems[i].offset :
					    cfg->stream.start_latest ? hi : lo;
					lag += hi > base ? hi - base : 0;
				}
				buf_printf(detail, "; topic %s: %d partitions, the group's lag %lld "
				    "messages%s", topic, n, (long long)lag, never == n ?
				    " (the group has committed nothing yet: it starts at `start`)" : "");
			}
		}
		if (l != NULL)
			rd_kafka_topic_partition_list_destroy(l);
		if (md != NULL)
			rd_kafka_metadata_destroy(md);
	}
	rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
	return rc;
}
