/*
 * template.h — the http sink's body template: JSON text with {{field.path}} placeholders
 * filled from the event (an ECS document), e.g.
 *     {"userId": 1, "title": "{{oci.source}}", "completed": false}
 *
 * A placeholder inside a JSON string is replaced by the field's text, JSON-escaped
 * (objects/arrays/numbers by their compact JSON text; a missing field by nothing).
 * Outside a string it is replaced by the field's JSON value (a missing field by null).
 * A path walks nested objects by "."; at each level a key containing the remaining dots
 * verbatim (ECS's flattened form) is tried first.  Pure module.
 */
#ifndef OCI_LOGFWD_TEMPLATE_H
#define OCI_LOGFWD_TEMPLATE_H

#include <stddef.h>

#include "buf.h"

struct template;

/*
 * Compiles text.  Returns new (caller frees with template_free) or NULL with a message in
 * err (unterminated or empty placeholder, or a template that is not valid JSON once
 * filled).
 */
struct template *template_new(const char *text, char *err, size_t errlen);
void template_free(struct template *t);

/*
 * Appends the template filled from the JSON object json[0..len) to out.  Returns 0, or -1
 * with a message (json not an object, memory).
 */
int template_render(const struct template *t, const char *json, size_t len,
    struct buf *out, char *err, size_t errlen);

#endif
