/*
 * otlp_check.h — sinksim --mode otlp: a strict reader of OTLP/HTTP JSON logs bodies
 * (ExportLogsServiceRequest), standing in for the OpenTelemetry Collector.  It checks the
 * structure field by field against the OTLP protobuf schema's JSON mapping and the
 * semantic conventions oci-logfwd promises, and hands each logRecord to emit as one
 * line: {"resource":{key:value..},"attributes":{key:value..},"timeUnixNano":"..",
 * "severityText":"..","severityNumber":N,"body":"<body.stringValue>"}.
 */
#ifndef SINKSIM_OTLP_CHECK_H
#define SINKSIM_OTLP_CHECK_H

#include <stddef.h>

/* 0, or -1 with why filled (the first violation, with its JSON path). */
int otlp_check_body(const char *p, size_t n,
    int (*emit)(void *arg, const char *line, size_t len), void *arg,
    char *why, size_t whylen);

#endif
