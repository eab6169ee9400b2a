/*
 * err.c — see err.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

void
err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;

	e->kind = kind;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}
