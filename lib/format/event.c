/* event.c — see event.h. */
#include "event.h"

const char *
event_kind_name(enum event_kind k)
{
	switch (k) {
	case EVENT_AUDIT: return "audit";
	case EVENT_FLOW: return "flow";
	case EVENT_OTHER: return "other";
	}
	return "other";
}
