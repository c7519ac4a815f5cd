/* Small helpers over jansson shared by the file loaders. */
#ifndef ACCELTRAN_JSON_UTIL_H
#define ACCELTRAN_JSON_UTIL_H

#include <jansson.h>

/* "an object", "a string", "an integer", ... for error messages. */
const char *at_json_type_name(const json_t *v);

#endif
