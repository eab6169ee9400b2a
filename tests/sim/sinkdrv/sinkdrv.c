/*
 * sinkdrv — drives the sink engine alone, for the sink tests and throughput figures.
 *
 *   sinkdrv --config FILE [--sink NAME ...] [--events N] [--size BYTES]
 *           [--mark-at I,J,K --mark-string STR] [--state-dir DIR] [--timeout-s S]
 *
 * Loads FILE with conf_load (a full config: a dummy [source] and the [sink]s), builds
 * the named sinks (default: all), feeds N synthetic ECS-like events to each (pausing
 * while a `block` sink reports sink_full, as the pipeline does), waits until every event
 * is acknowledged, and prints key=value counts.  Exit 0 when every event is accounted for
 * (delivered + dead-lettered + dropped == N x sinks, none cancelled), 1 otherwise.
 *
 * Each event has a unique "event.id" ("ev-%08u") and fingerprint; events whose index is
 * in --mark-at carry "marker": STR, so that a simulator can reject exactly those.
 */
#include <event2/event.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "ack.h"
#include "buf.h"
#include "conf.h"
#include "http.h"
#include "log.h"
#include "sink.h"
#include "timeutil.h"

#define MAX_SINKS 16
#define CHUNK 2000 /* events produced per loop turn */

struct drv {
	struct event_base *base;
	struct http *http;
	struct sink *sinks[MAX_SINKS];
	const struct conf_sink *cfgs[MAX_SINKS];
	size_t n_sinks;
	struct ack *ack;
	uint64_t n_events, produced;
	size_t size;
	const char *mark;
	uint64_t *mark_at;
	size_t n_mark;
	struct event *produce_ev;
	struct event *timeout_ev;
	struct event *poll_ev;
	int waiting_space;
	uint64_t full_pauses;
	int finished, timed_out, sealed;
	struct ack_counts counts;
	struct buf ev;
	int64_t t0, t_end;
};

static void produce(evutil_socket_t fd, short what, void *arg);

static void
on_all_acked(void *arg, const struct ack_counts *c)
{
	struct drv *d = arg;

	d->counts = *c;
	d->finished = 1;
	d->ack = NULL;
	d->t_end = timeutil_mono_ms();
	event_base_loopbreak(d->base);
}

static int
is_marked(const struct drv *d, uint64_t i)
{
	size_t k;

	for (k = 0; k < d->n_mark; k++)
		if (d->mark_at[k] == i)
			return 1;
	return 0;
}

static int
blocked(struct drv *d)
{
	size_t i;

	for (i = 0; i < d->n_sinks; i++)
		if (d->cfgs[i]->when_full == CONF_FULL_BLOCK && sink_full(d->sinks[i]))
			return 1;
	return 0;
}

static void
on_space(void *arg)
{
	struct drv *d = arg;

	if (d->waiting_space && !blocked(d)) {
		d->waiting_space = 0;
		event_active(d->produce_ev, EV_TIMEOUT, 0);
	}
}

/* A safety net: resume even if a space callback were missed. */
static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	on_space(arg);
}

static void
produce(evutil_socket_t fd, short what, void *arg)
{
	struct drv *d = arg;
	static const char *kinds[] = {"audit", "flow", "other"};
	uint64_t stop = d->produced + CHUNK;
	size_t i;

	if (stop > d->n_events)
		stop = d->n_events;
	while (d->produced < stop) {
		uint64_t n = d->produced;
		struct sink_doc doc;
		int64_t t_ns = (int64_t)1700000000000 * 1000000 + (int64_t)n * 1000000;
		const char *kind = kinds[n % 3];
		char ts[TIMEUTIL_RFC3339_SIZE];

		if (blocked(d)) {
			d->full_pauses++;
			d->waiting_space = 1;
			return; /* on_space resumes us */
		}
		timeutil_format_rfc3339(t_ns / 1000000, TIMEUTIL_MS, ts);
		buf_reset(&d->ev);
		buf_printf(&d->ev,
		    "{\"@timestamp\":\"%s\",\"message\":\"drv event %" PRIu64 "\","
		    "\"event\":{\"id\":\"ev-%08" PRIu64 "\",\"kind\":\"event\",\"dataset\":\"oci.%s\"},"
		    "\"oci\":{\"source\":\"drv-src\",\"seq\":%" PRIu64 "}",
		    ts, n, n, kind, n);
		if (d->mark != NULL && is_marked(d, n)) {
			buf_append_str(&d->ev, ",\"marker\":");
			buf_append_json_string(&d->ev, d->mark, strlen(d->mark));
		}
		if (d->size > d->ev.len + 12) {
			size_t pad = d->size - d->ev.len - 12;
			buf_append_str(&d->ev, ",\"pad\":\"");
			if (buf_reserve(&d->ev, pad) == 0) {
				memset(d->ev.data + d->ev.len, 'x', pad);
				d->ev.len += pad;
				d->ev.data[d->ev.len] = '\0';
			}
			buf_append_char(&d->ev, '"');
		}
		buf_append_char(&d->ev, '}');
		memset(&doc, 0, sizeof(doc));
		doc.json = d->ev.data;
		doc.len = d->ev.len;
		doc.message = "drv event";
		doc.time_ns = t_ns;
		doc.kind = kind;
		doc.source = "drv-src";
		doc.fingerprint = 0x9E3779B97F4A7C15ULL * (n + 1);
		for (i = 0; i < d->n_sinks; i++)
			sink_submit(d->sinks[i], &doc, d->ack);
		d->produced++;
	}
	if (d->produced < d->n_events) {
		event_active(d->produce_ev, EV_TIMEOUT, 0);
		return;
	}
	for (i = 0; i < d->n_sinks; i++)
		sink_flush(d->sinks[i]);
	d->sealed = 1;
	ack_seal(d->ack); /* may finish at once */
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct drv *d = arg;

	d->timed_out = 1;
	event_base_loopbreak(d->base);
}

static void
usage(void)
{
	fprintf(stderr, "usage: sinkdrv --config FILE [--sink NAME]... [--events N] "
	    "[--size BYTES] [--mark-at I,J,..] [--mark-string S] [--state-dir D] "
	    "[--timeout-s S] [--log-level L]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"sink", required_argument, NULL, 'k'},
		{"events", required_argument, NULL, 'n'},
		{"size", required_argument, NULL, 'z'},
		{"mark-at", required_argument, NULL, 'a'},
		{"mark-string", required_argument, NULL, 'm'},
		{"state-dir", required_argument, NULL, 'd'},
		{"timeout-s", required_argument, NULL, 't'},
		{"log-level", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct drv d;
	struct conf *conf = NULL;
	struct conf_err cerr = {0};
	const char *config = NULL, *state_dir = ".", *names[MAX_SINKS];
	size_t n_names = 0, i;
	int c, rc = 1, timeout_s = 120;
	struct rusage ru;
	struct timeval tv;
	uint64_t accounted;
	enum log_level lvl = LOG_LVL_NOTICE;

	memset(&d, 0, sizeof(d));
	d.n_events = 1000;
	buf_init(&d.ev, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'k':
			if (n_names < MAX_SINKS)
				names[n_names++] = optarg;
			break;
		case 'n': d.n_events = strtoull(optarg, NULL, 10); break;
		case 'z': d.size = strtoull(optarg, NULL, 10); break;
		case 'a': {
			char *p = optarg;
			while (*p) {
				uint64_t *nm = realloc(d.mark_at, (d.n_mark + 1) * sizeof(*nm));
				if (nm == NULL)
					return 1;
				d.mark_at = nm;
				d.mark_at[d.n_mark++] = strtoull(p, &p, 10);
				if (*p == ',')
					p++;
				else if (*p != '\0')
					break;
			}
			break;
		}
		case 'm': d.mark = optarg; break;
		case 'd': state_dir = optarg; break;
		case 't': timeout_s = atoi(optarg); break;
		case 'l':
			if (log_level_parse(optarg, &lvl) != 0) {
				usage();
				return 64;
			}
			break;
		default: usage(); return c == 'h' ? 0 : 64;
		}
	}
	if (config == NULL) {
		usage();
		return 64;
	}
	log_init();
	log_set_level(lvl);
	conf = conf_load(config, &cerr);
	if (conf == NULL) {
		fprintf(stderr, "sinkdrv: %s\n", cerr.text ? cerr.text : "cannot load config");
		conf_err_cleanup(&cerr);
		return 78;
	}
	d.base = event_base_new();
	d.http = d.base ? http_new(d.base) : NULL;
	d.produce_ev = d.base ? event_new(d.base, -1, 0, produce, &d) : NULL;
	d.timeout_ev = d.base ? evtimer_new(d.base, on_timeout, &d) : NULL;
	d.poll_ev = d.base ? event_new(d.base, -1, EV_PERSIST, on_poll, &d) : NULL;
	d.ack = ack_new(on_all_acked, &d);
	if (d.http == NULL || d.produce_ev == NULL || d.timeout_ev == NULL ||
	    d.poll_ev == NULL || d.ack == NULL) {
		fprintf(stderr, "sinkdrv: out of memory\n");
		goto done;
	}
	for (i = 0; i < conf->n_sinks && d.n_sinks < MAX_SINKS; i++) {
		const struct conf_sink *k = &conf->sinks[i];
		struct err err;
		size_t j;
		int want = n_names == 0;
		for (j = 0; j < n_names; j++)
			if (strcmp(names[j], k->name) == 0)
				want = 1;
		if (!want)
			continue;
		d.sinks[d.n_sinks] = sink_new(d.base, d.http, k, state_dir, &err);
		if (d.sinks[d.n_sinks] == NULL) {
			fprintf(stderr, "sinkdrv: sink %s: %s\n", k->name, err.msg);
			goto done;
		}
		sink_set_space_cb(d.sinks[d.n_sinks], on_space, &d);
		d.cfgs[d.n_sinks++] = k;
	}
	if (d.n_sinks == 0) {
		fprintf(stderr, "sinkdrv: no sink selected\n");
		goto done;
	}
	d.t0 = timeutil_mono_ms();
	tv.tv_sec = timeout_s;
	tv.tv_usec = 0;
	evtimer_add(d.timeout_ev, &tv);
	tv.tv_sec = 0;
	tv.tv_usec = 50000;
	event_add(d.poll_ev, &tv);
	event_active(d.produce_ev, EV_TIMEOUT, 0);
	event_base_dispatch(d.base);
	if (!d.finished) {
		/* Timed out: whatever is still held comes back ACK_CANCELLED. */
		for (i = 0; i < d.n_sinks; i++) {
			printf("sink=%s timed out; last_error=\"%s\"\n", sink_name(d.sinks[i]),
			    sink_stats(d.sinks[i])->last_error);
			sink_free(d.sinks[i]);
			d.sinks[i] = NULL;
		}
		if (d.ack != NULL && !d.sealed) {
			d.sealed = 1;
			ack_seal(d.ack); /* fires with the cancelled counts */
		}
		d.t_end = timeutil_mono_ms();
	}
	getrusage(RUSAGE_SELF, &ru);
	for (i = 0; i < d.n_sinks; i++) {
		const struct sink_stats *st;
		if (d.sinks[i] == NULL)
			continue;
		st = sink_stats(d.sinks[i]);
		printf("sink=%s requests=%" PRIu64 " retries=%" PRIu64 " sent=%" PRIu64
		    " dead_letter=%" PRIu64 " dropped=%" PRIu64 " bytes=%" PRIu64
		    " healthy=%d last_error=\"%s\"\n", sink_name(d.sinks[i]), st->requests,
		    st->retries, st->events_sent, st->events_dead_letter, st->events_dropped,
		    st->bytes_sent, sink_healthy(d.sinks[i]), st->last_error);
	}
	accounted = d.counts.delivered + d.counts.dead_letter + d.counts.dropped;
	{
		double secs = (double)(d.t_end - d.t0) / 1000.0;
		double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
		printf("produced=%" PRIu64 " expected=%" PRIu64 " delivered=%" PRIu64
		    " dead_letter=%" PRIu64 " dropped=%" PRIu64 " cancelled=%" PRIu64
		    " full_pauses=%" PRIu64 " timed_out=%d seconds=%.3f events_per_s=%.0f"
		    " cpu_s=%.3f\n", d.produced, d.n_events * d.n_sinks, d.counts.delivered,
		    d.counts.dead_letter, d.counts.dropped, d.counts.cancelled, d.full_pauses,
		    d.timed_out, secs, secs > 0 ? (double)d.n_events / secs : 0.0, cpu);
	}
	if (d.finished && accounted == d.n_events * d.n_sinks && d.counts.cancelled == 0)
		rc = 0;
	else
		fprintf(stderr, "sinkdrv: %" PRIu64 " of %" PRIu64 " events unaccounted for\n",
		    d.n_events * d.n_sinks - accounted, d.n_events * d.n_sinks);
done:
	for (i = 0; i < d.n_sinks; i++)
		sink_free(d.sinks[i]);
	if (d.ack != NULL && !d.finished)
		ack_abandon(d.ack);
	if (d.produce_ev)
		event_free(d.produce_ev);
	if (d.timeout_ev)
		event_free(d.timeout_ev);
	if (d.poll_ev)
		event_free(d.poll_ev);
	http_free(d.http);
	if (d.base)
		event_base_free(d.base);
	conf_free(conf);
	free(d.mark_at);
	buf_cleanup(&d.ev);
	return rc;
}
