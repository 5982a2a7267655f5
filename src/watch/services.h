/*
 * services.h: the streaming services a user has (GET/PUT
 * /api/users/me/services/), by TMDb's provider ids, and the list filter
 * available_on= made of them.
 */
#ifndef MQ_WATCH_SERVICES_H
#define MQ_WATCH_SERVICES_H

#include <json-c/json.h>

#include "core/ctx.h"

#define MQ_SERVICES_MAX 50	/* services one user may name */

/* The user's services in region: {"region", "providers": [{"id", "name",
 * "logo_url"}]} into *out (arena).  The database's failure. */
enum mq_status mq_services_list(struct mq_ctx *c, int64_t user, const char *region,
			       struct json_object **out);

/* Makes ids (an int[] literal of distinct provider ids) the user's
 * services.  Ids the catalog of providers lacks are looked up in TMDb's
 * list of providers first.  MQ_INVALID (field "providers") naming an id
 * TMDb does not know either; TMDb's failures; the database's. */
enum mq_status mq_services_set(struct mq_ctx *c, int64_t user, const char *ids);

/* The user's services as an int[] literal into *ids (arena): what
 * available_on=mine means.  The database's failure. */
enum mq_status mq_services_ids(struct mq_ctx *c, int64_t user, const char **ids);

#endif
