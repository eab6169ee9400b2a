/*
 * main.c — the command line, the configuration file, signals, systemd notification and
 * the watchdog.  Everything built from the configuration (sources, sinks, the OCI
 * client) belongs to the pipeline; main owns the event loop and the struct daemon that
 * every callback gets as its argument (no globals).
 *
 * The three places where the pipeline is created, reloaded and stopped are the
 * daemon_*_pipeline functions below, marked "pipeline: wired by the lead".
 */
#include "buf.h"
#include "conf.h"
#include "dryrun.h"
#include "exitcodes.h"
#include "log.h"
#include "http.h"
#include "normalize.h"
#include "oci.h"
#include "pipeline.h"
#include "probe.h"
#include "status.h"
#include "timeutil.h"

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef OCI_LOGFWD_VERSION
#define OCI_LOGFWD_VERSION "unknown"
#endif

#define DEFAULT_CONFIG "/etc/oci-logfwd/oci-logfwd.conf"

struct options {
	const char *config;
	int check_config;
	int once;
	int dry_run;
	int probe;
	const char *from_arg, *to_arg; /* as given, for messages */
	int64_t from_ms, to_ms;        /* resolved to epoch ms; 0 when not given */
	const char *input;             /* --dry-run from a file of SearchLogs responses */
	int have_log_level;            /* --log-level beats the file's log_level */
	enum log_level log_level;
};

struct daemon {
	struct event_base *base;
	const struct options *opt;
	struct conf *conf;             /* the running configuration: owned until the
	                                  pipeline takes it, borrowed from it after */
	struct event *sig_term, *sig_int, *sig_hup, *sig_usr1;
	struct event *stats_timer;
	struct event *watchdog_timer;
	struct event *stop_timer;      /* hard limit on a graceful stop */
	int64_t stats_interval_ms;     /* what stats_timer is armed with */
	int64_t started_mono_ms;
	unsigned reloads;
	int stopping;
	int exit_code;
	struct pipeline *pipeline;     /* owns d->conf once created */
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: oci-logfwd [-c FILE] [-t] [--once] [--from T --to T] [--dry-run [--input FILE]]\n"
	    "                  [--probe] [--log-level LEVEL] [-V] [-h]\n"
	    "       oci-logfwd status [-c FILE | --url URL] [--watch]\n"
	    "\n"
	    "Pulls OCI Logging records (SearchLogs), normalizes them and forwards them to\n"
	    "HTTP sinks.  Without options it runs as a daemon (systemd Type=notify).\n"
	    "\n"
	    "  -c, --config FILE     configuration file (default " DEFAULT_CONFIG ")\n"
	    "  -t, --check-config    validate the file, print the effective configuration\n"
	    "                        (defaults filled in, secrets as ***) and exit\n"
	    "      --once            poll every source once up to now, deliver, exit\n"
	    "      --from T --to T   backfill the range [T, T) and exit; T is RFC 3339\n"
	    "                        (2025-03-14T09:00:00Z) or relative to now (-2h, -30m, now)\n"
	    "      --dry-run         fetch and normalize, print events on stdout, send nothing\n"
	    "      --input FILE      with --dry-run: read SearchLogs responses from FILE\n"
	    "      --probe           check OCI credentials and every sink, then exit\n"
	    "      --log-level L     debug, info, notice, warning or error (overrides the file)\n"
	    "  -V, --version         print the version and exit\n"
	    "  -h, --help            print this help and exit\n"
	    "\n"
	    "Exit status: 0 ok, 64 usage, 69 service unusable (e.g. authentication refused),\n"
	    "78 configuration error, 1 other failure.\n"
	    "Signals: TERM/INT stop (draining queues), HUP reload the file, USR1 log stats.\n");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "oci-logfwd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'oci-logfwd --help'.\n");
	return EXIT_USAGE;
}

enum { OPT_ONCE = 256, OPT_FROM, OPT_TO, OPT_DRY_RUN, OPT_PROBE, OPT_INPUT, OPT_LOG_LEVEL };

/* Fills opt from argv; returns -1 to go on, or an exit status. */
static int
parse_args(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "probe", no_argument, NULL, OPT_PROBE },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rel;
	int64_t now, t;

	opt->config = DEFAULT_CONFIG;
	while ((ch = getopt_long(argc, argv, "c:tVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (!*optarg)
				return usage_error("-c needs a file name");
			opt->config = optarg;
			break;
		case 't':
			opt->check_config = 1;
			break;
		case OPT_ONCE:
			opt->once = 1;
			break;
		case OPT_FROM:
			opt->from_arg = optarg;
			break;
		case OPT_TO:
			opt->to_arg = optarg;
			break;
		case OPT_DRY_RUN:
			opt->dry_run = 1;
			break;
		case OPT_PROBE:
			opt->probe = 1;
			break;
		case OPT_INPUT:
			opt->input = optarg;
			break;
		case OPT_LOG_LEVEL:
			if (log_level_parse(optarg, &opt->log_level) < 0)
				return usage_error("--log-level: \"%s\" is not one of debug, info, "
						   "notice, warning, error",
				    optarg);
			opt->have_log_level = 1;
			break;
		case 'V':
			printf("oci-logfwd %s\n", OCI_LOGFWD_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default: /* getopt has said what is wrong */
			fprintf(stderr, "Try 'oci-logfwd --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (!opt->from_arg != !opt->to_arg)
		return usage_error("--from and --to go together");
	if (opt->from_arg) {
		now = timeutil_now_ms();
		if (conf_parse_time(opt->from_arg, &rel, &t) < 0)
			return usage_error("--from: \"%s\" is neither RFC 3339 nor relative "
					   "(-2h)",
			    opt->from_arg);
		opt->from_ms = rel ? now + t : t;
		if (conf_parse_time(opt->to_arg, &rel, &t) < 0)
			return usage_error("--to: \"%s\" is neither RFC 3339 nor relative (-2h)",
			    opt->to_arg);
		opt->to_ms = rel ? now + t : t;
		if (opt->from_ms >= opt->to_ms)
			return usage_error("--from must be before --to");
		if (opt->from_ms > now)
			return usage_error("--from \"%s\" is in the future", opt->from_arg);
	}
	if (opt->input && !opt->dry_run)
		return usage_error("--input works only with --dry-run");
	if (opt->probe && (opt->once || opt->dry_run || opt->from_arg))
		return usage_error("--probe cannot be combined with --once, --dry-run or "
				   "--from/--to");
	if (opt->check_config && (opt->once || opt->dry_run || opt->from_arg || opt->probe))
		return usage_error("--check-config cannot be combined with a run mode");
	return -1;
}

/* Logs (daemon) or prints (--check-config) every configuration error, one a line. */
static void
report_conf_errors(const char *path, const struct conf_err *err, int to_stderr)
{
	const char *p = err->text ? err->text : "", *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (to_stderr)
			fprintf(stderr, "%.*s\n", (int)(nl - p), p);
		else
			log_error("%.*s", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
	if (to_stderr)
		fprintf(stderr, "oci-logfwd: %s: %d error%s\n", path, err->count,
		    err->count == 1 ? "" : "s");
}

static void
apply_log_level(struct daemon *d)
{
	if (d->opt->have_log_level)
		log_set_level(d->opt->log_level);
	else
		log_set_level((enum log_level)d->conf->daemon.log_level);
}

static void
notify_status(struct daemon *d, const char *state)
{
	sd_notifyf(0, "STATUS=%s: %zu source%s, %zu sink%s", state, d->conf->n_sources,
	    d->conf->n_sources == 1 ? "" : "s", d->conf->n_sinks,
	    d->conf->n_sinks == 1 ? "" : "s");
}

/* Once, at start-up: which queries run with a sort operator the file did not have. */
static void
log_sort_appended(const struct conf *c)
{
	for (size_t i = 0; i < c->n_sources; i++)
		if (c->sources[i].sort_appended)
			log_source(LOG_LVL_NOTICE, c->sources[i].name,
			    "the query has no sort operator: searching with \"%s\" appended "
			    "(pages of a sorted result are stable)", &CONF_SORT_SUFFIX[1]);
}

/* ---------------------------------------------------------------- pipeline hooks */

static void daemon_stopped(void *arg);

/* One-shot modes end here: the pipeline says whether everything went through. */
static void
oneshot_finished(void *arg, int failed)
{
	struct daemon *d = arg;

	d->exit_code = failed == PIPELINE_REFUSED ? EXIT_UNAVAILABLE :
	    failed ? EXIT_FAILURE_OTHER : EXIT_OK;
	if (failed == PIPELINE_REFUSED)
		log_error("finished: a service refused the credentials (see the error above)");
	else if (failed)
		log_warning("finished, but not everything could be delivered or fetched "
		    "(see the warnings above and the dead-letter files)");
	else
		log_notice("finished: everything delivered");
	event_base_loopexit(d->base, NULL);
}

/*
 * -t loads the OCI credentials exactly as start-up does (oci_client_new: config file,
 * profile, key file, its mode, the pass phrase), so that a file that passes -t does not
 * then fail to start with 69.  0, or EXIT_UNAVAILABLE after printing why.
 */
static int
check_oci_credentials(const char *path, const struct conf *c)
{
	struct event_base *base = event_base_new();
	struct http *h = base != NULL ? http_new(base) : NULL;
	struct oci_client *oc = NULL;
	struct oci_err oerr;
	char masked[sizeof(oerr.msg)];
	int ok;

	memset(&oerr, 0, sizeof(oerr));
	if (h == NULL)
		snprintf(oerr.msg, sizeof(oerr.msg), "out of memory");
	else
		oc = oci_client_new(base, h, &c->oci, &oerr);
	ok = oc != NULL;
	if (!ok)
		fprintf(stderr, "%s: [oci] OCI credentials: %s\n", path,
		    conf_mask_text(oerr.msg, masked, sizeof(masked)));
	oci_client_free(oc);
	http_free(h);
	if (base != NULL)
		event_base_free(base);
	return ok ? 0 : EXIT_UNAVAILABLE;
}

/*
 * Builds sources, sinks and routes from d->conf, which the pipeline takes.  0, or an
 * exit status: 69 when OCI credentials are unusable, 78 for a sink that cannot be set
 * up, 1 otherwise (a corrupt checkpoint, memory).
 */
static int
daemon_start_pipeline(struct daemon *d, enum source_mode mode)
{
	struct pipeline_opts po;
	struct err err;
	struct conf *c = d->conf;

	memset(&po, 0, sizeof(po));
	po.mode = mode;
	po.from_ms = d->opt->from_ms;
	po.to_ms = d->opt->to_ms;
	po.dryrun_out = stdout;
	po.dryrun_format = CONF_FORMAT_ECS;
	po.finished = oneshot_finished;
	po.arg = d;
	d->conf = NULL; /* taken by pipeline_new, even when it fails */
	d->pipeline = pipeline_new(d->base, c, &po, &err);
	if (d->pipeline == NULL) {
		char masked[sizeof(err.msg)];
		log_error("cannot start: %s", conf_mask_text(err.msg, masked, sizeof(masked)));
		return err.kind == ERR_UNAVAILABLE ? EXIT_UNAVAILABLE :
		    err.kind == ERR_CONFIG ? EXIT_CONFIG : EXIT_FAILURE_OTHER;
	}
	d->conf = c;
	return 0;
}

/*
 * Applies newc (already validated) to the running pipeline, which takes it.  0 on
 * success (newc is now d->conf), -1 when the running configuration is kept.
 */
static int
daemon_reload_pipeline(struct daemon *d, struct conf *newc)
{
	struct err err;

	if (pipeline_reload(d->pipeline, newc, &err) != 0) {
		char masked[sizeof(err.msg)];
		log_error("reload: %s", conf_mask_text(err.msg, masked, sizeof(masked)));
		return -1;
	}
	pipeline_reopen(d->pipeline); /* SIGHUP also means "logrotate moved the files" */
	return 0;
}

/*
 * Graceful stop: no new searches, sinks drain for up to shutdown_timeout
 * (pipeline_shutdown), then daemon_stopped(d) runs.
 */
static void
daemon_stop_pipeline(struct daemon *d)
{
	if (d->pipeline == NULL) {
		daemon_stopped(d);
		return;
	}
	pipeline_shutdown(d->pipeline, d->conf->daemon.shutdown_timeout_ms, daemon_stopped, d);
}

static void
daemon_stats_line(struct daemon *d)
{
	struct buf line;

	buf_init(&line, 64 * 1024);
	if (d->pipeline != NULL)
		pipeline_stats_line(d->pipeline, &line);
	if (line.len > 0) {
		log_info("stats: %s", line.data);
		/* systemctl status shows the same summary */
		sd_notifyf(0, "STATUS=%s", line.data);
	}
	buf_cleanup(&line);
}

/* ---------------------------------------------------------------- events */

static void
daemon_stopped(void *arg)
{
	struct daemon *d = arg;

	event_base_loopexit(d->base, NULL);
}

static void
on_stop_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	log_warning("shutdown_timeout reached: exiting without waiting any longer");
	event_base_loopbreak(d->base);
}

static void
stop(struct daemon *d, const char *why)
{
	int64_t ms = d->conf->daemon.shutdown_timeout_ms;

	if (d->stopping) {
		log_notice("%s again: exiting now", why);
		event_base_loopbreak(d->base);
		return;
	}
	d->stopping = 1;
	log_notice("%s: stopping (draining for up to %lld ms)", why, (long long)ms);
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	/* A little beyond the pipeline's own limit, so it normally wins. */
	ms += 1000;
	if (d->stop_timer)
		timeutil_timer_add(d->stop_timer, ms);
	daemon_stop_pipeline(d);
}

static void
arm_stats(struct daemon *d)
{
	int64_t ms = d->conf->daemon.stats_interval_ms;

	if (ms == d->stats_interval_ms)
		return;
	evtimer_del(d->stats_timer);
	timeutil_timer_add(d->stats_timer, ms);
	d->stats_interval_ms = ms;
}

static void
reload(struct daemon *d)
{
	struct conf_err err;
	struct conf *newc;

	log_notice("SIGHUP: reloading %s", d->opt->config);
	sd_notify(0, "RELOADING=1\nSTATUS=reloading");
	if (!(newc = conf_load(d->opt->config, &err)) || conf_check_system(newc, 0, &err) < 0) {
		conf_free(newc);
		report_conf_errors(d->opt->config, &err, 0);
		log_error("reload failed (%d error%s in %s): keeping the running configuration",
		    err.count, err.count == 1 ? "" : "s", d->opt->config);
		conf_err_cleanup(&err);
		sd_notify(0, "READY=1");
		notify_status(d, "running (last reload failed)");
		return;
	}
	if (daemon_reload_pipeline(d, newc) < 0) { /* newc was freed by the pipeline */
		log_error("reload failed: keeping the running configuration");
		sd_notify(0, "READY=1");
		notify_status(d, "running (last reload failed)");
		return;
	}
	d->conf = newc; /* the old one lives on in the pipeline while anything uses it */
	d->reloads++;
	apply_log_level(d);
	arm_stats(d);
	log_notice("reloaded %s: %zu sources, %zu sinks", d->opt->config, d->conf->n_sources,
	    d->conf->n_sinks);
	sd_notify(0, "READY=1");
	notify_status(d, "running");
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	switch (sig) {
	case SIGTERM:
		stop(d, "SIGTERM");
		break;
	case SIGINT:
		stop(d, "SIGINT");
		break;
	case SIGHUP:
		if (!d->stopping)
			reload(d);
		break;
	case SIGUSR1:
		daemon_stats_line(d);
		break;
	}
}

static void
on_stats(evutil_socket_t fd, short what, void *arg)
{
	daemon_stats_line(arg);
}

static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	/* The loop is alive if this fires: that is what the watchdog wants to know. */
	sd_notify(0, "WATCHDOG=1");
}

/* ---------------------------------------------------------------- run */

static int
daemon_setup(struct daemon *d)
{
	struct timeval tv;
	uint64_t usec = 0;

	if (!(d->base = event_base_new())) {
		log_error("cannot create the event loop");
		return -1;
	}
	d->sig_term = evsignal_new(d->base, SIGTERM, on_signal, d);
	d->sig_int = evsignal_new(d->base, SIGINT, on_signal, d);
	d->sig_hup = evsignal_new(d->base, SIGHUP, on_signal, d);
	d->sig_usr1 = evsignal_new(d->base, SIGUSR1, on_signal, d);
	d->stats_timer = event_new(d->base, -1, EV_PERSIST, on_stats, d);
	d->stop_timer = evtimer_new(d->base, on_stop_timeout, d);
	if (!d->sig_term || !d->sig_int || !d->sig_hup || !d->sig_usr1 || !d->stats_timer ||
	    !d->stop_timer || evsignal_add(d->sig_term, NULL) < 0 ||
	    evsignal_add(d->sig_int, NULL) < 0 || evsignal_add(d->sig_hup, NULL) < 0 ||
	    evsignal_add(d->sig_usr1, NULL) < 0) {
		log_error("cannot set up signal handling");
		return -1;
	}
	arm_stats(d);
	/* WATCHDOG_USEC is set by systemd (WatchdogSec=); ping at half of it. */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		usec /= 2;
		tv.tv_sec = (time_t)(usec / 1000000);
		tv.tv_usec = (suseconds_t)(usec % 1000000);
		if (!(d->watchdog_timer = event_new(d->base, -1, EV_PERSIST, on_watchdog, d)) ||
		    event_add(d->watchdog_timer, &tv) < 0) {
			log_error("cannot set up the watchdog timer");
			return -1;
		}
		log_debug("watchdog: pinging every %llu ms", (unsigned long long)usec / 1000);
	}
	return 0;
}

static void
daemon_cleanup(struct daemon *d)
{
	if (d->watchdog_timer)
		event_free(d->watchdog_timer);
	if (d->stop_timer)
		event_free(d->stop_timer);
	if (d->stats_timer)
		event_free(d->stats_timer);
	if (d->sig_usr1)
		event_free(d->sig_usr1);
	if (d->sig_hup)
		event_free(d->sig_hup);
	if (d->sig_int)
		event_free(d->sig_int);
	if (d->sig_term)
		event_free(d->sig_term);
	if (d->pipeline != NULL)
		pipeline_free(d->pipeline); /* writes the checkpoints; frees every conf */
	else
		conf_free(d->conf);
	d->pipeline = NULL;
	d->conf = NULL;
	if (d->base)
		event_base_free(d->base);
}

static int
daemon_run(struct daemon *d)
{
	int rc;

	if (daemon_setup(d) < 0)
		return EXIT_FAILURE_OTHER;
	if ((rc = daemon_start_pipeline(d, SOURCE_MODE_DAEMON)) != 0)
		return rc;
	log_notice("oci-logfwd %s started: %s, %zu sources, %zu sinks", OCI_LOGFWD_VERSION,
	    d->opt->config, d->conf->n_sources, d->conf->n_sinks);
	log_sort_appended(d->conf);
	sd_notify(0, "READY=1");
	notify_status(d, "running");
	if (event_base_dispatch(d->base) < 0) {
		log_error("event loop failed");
		return EXIT_FAILURE_OTHER;
	}
	log_notice("stopped");
	return d->exit_code;
}

/*
 * --once, --from/--to, --dry-run and --probe: the same loop, one pass, then exit with
 * the outcome (0 everything delivered, 1 something was not, 69 a service unusable).
 */
static int
run_oneshot(struct daemon *d)
{
	const struct options *o = d->opt;
	enum source_mode mode;
	int rc;

	if (o->dry_run && o->input != NULL) {
		struct normalize_err err;
		long n = dryrun_file(o->input, CONF_FORMAT_ECS, d->conf->oci.region, stdout, &err);
		if (n < 0) {
			fprintf(stderr, "oci-logfwd: %s: %s\n", o->input, err.msg);
			return EXIT_FAILURE_OTHER;
		}
		fprintf(stderr, "oci-logfwd: %ld events from %s\n", n, o->input);
		return EXIT_OK;
	}
	if (daemon_setup(d) < 0)
		return EXIT_FAILURE_OTHER;
	if (o->probe)
		return probe_run(d->base, d->conf, stdout);
	mode = o->dry_run ? SOURCE_MODE_DRYRUN : o->from_arg ? SOURCE_MODE_BACKFILL :
	    SOURCE_MODE_ONCE;
	d->exit_code = EXIT_FAILURE_OTHER; /* until the pipeline says otherwise */
	if ((rc = daemon_start_pipeline(d, mode)) != 0)
		return rc;
	if (event_base_dispatch(d->base) < 0) {
		log_error("event loop failed");
		return EXIT_FAILURE_OTHER;
	}
	if (d->stopping)
		log_notice("stopped before the end: what was not delivered is pulled again "
		    "next time");
	return d->exit_code;
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct daemon d;
	struct conf_err err;
	struct sigaction sa;
	int rc;

	memset(&opt, 0, sizeof(opt));
	memset(&d, 0, sizeof(d));
	log_init();
	if (argc > 1 && strcmp(argv[1], "status") == 0) /* a client of a running daemon */
		return status_main(argc - 1, argv + 1, DEFAULT_CONFIG);
	if ((rc = parse_args(argc, argv, &opt)) >= 0)
		return rc;
	if (opt.have_log_level)
		log_set_level(opt.log_level);
	d.opt = &opt;
	d.started_mono_ms = timeutil_mono_ms();
	d.stats_interval_ms = -1;

	d.conf = conf_load(opt.config, &err);
	/* What start-up would find in the system, -t finds too; --dry-run and --probe
	 * write neither checkpoints nor dead letters.  Root running -t checks for the
	 * systemd unit, whose own user owns (and systemd creates) the state folder. */
	if (d.conf != NULL && !opt.dry_run && !opt.probe &&
	    conf_check_system(d.conf, opt.check_config && geteuid() == 0, &err) < 0) {
		conf_free(d.conf);
		d.conf = NULL;
	}
	if (d.conf == NULL) {
		report_conf_errors(opt.config, &err, opt.check_config);
		if (!opt.check_config)
			log_error("%d configuration error%s in %s: not starting", err.count,
			    err.count == 1 ? "" : "s", opt.config);
		conf_err_cleanup(&err);
		return EXIT_CONFIG;
	}
	if (opt.check_config) {
		/* Start-up loads OCI credentials for search sources only (streaming sources
		 * need none): so does -t. */
		int search = 0;
		for (size_t i = 0; i < d.conf->n_sources; i++)
			search |= d.conf->sources[i].type == CONF_SOURCE_SEARCH;
		if (search && (rc = check_oci_credentials(opt.config, d.conf)) != 0) {
			conf_free(d.conf);
			return rc;
		}
		conf_dump(d.conf, stdout);
		conf_free(d.conf);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILURE_OTHER;
	}
	apply_log_level(&d);
	if (geteuid() == 0)
		log_warning("running as root: not needed; the systemd unit runs it as an "
			    "unprivileged dynamic user");
	/* A peer closing a socket must be an error return, not a signal. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (opt.once || opt.dry_run || opt.probe || opt.from_arg)
		rc = run_oneshot(&d);
	else
		rc = daemon_run(&d);
	daemon_cleanup(&d);
	return rc;
}
