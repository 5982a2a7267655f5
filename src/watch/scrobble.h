/*
 * scrobble.h: plays reported by media servers' webhooks, at a user's
 * secret URL (secrets.h), as watch history.
 *
 * Each server's documented payload, as JSON (Plex's is the "payload" part
 * of its multipart/form-data body, which the handler takes out):
 *   plex      event "media.scrobble" (Plex sends it when a play passes
 *             90%), Metadata.type "movie", ids in Metadata.Guid
 *             ([{"id": "tmdb://550"}, {"id": "imdb://tt0137523"}]) or, from
 *             the legacy agents, Metadata.guid
 *             ("com.plexapp.agents.imdb://tt0137523?lang=en")
 *   jellyfin  the webhook plugin's Generic destination with "Send All
 *             Properties": NotificationType "PlaybackStop", ItemType
 *             "Movie", PlayedToCompletion true, Provider_tmdb, Provider_imdb
 *   emby      Event "playback.stop", Item.Type "Movie",
 *             PlaybackInfo.PlayedToCompletion true, Item.ProviderIds.Tmdb
 *             and .Imdb
 * A finished movie the catalog has (by TMDb id, then IMDb id) becomes a
 * watch-history entry and an activity, and marks its watchlist entry
 * watched, once per event: a server retrying a delivery sends the same
 * payload, whose SHA-256 is the event's key (scrobble_events).
 */
#ifndef MQ_WATCH_SCROBBLE_H
#define MQ_WATCH_SCROBBLE_H

#include <json-c/json.h>

#include "core/ctx.h"

enum mq_scrobble_outcome {
	MQ_SCROBBLE_RECORDED,	/* a new history entry */
	MQ_SCROBBLE_DUPLICATE,	/* this event was recorded before */
	MQ_SCROBBLE_IGNORED,	/* not a finished movie, or none the catalog has */
};

struct mq_scrobble {
	enum mq_scrobble_outcome outcome;
	const char *why;	/* IGNORED: what was not so, for the answer and the log */
	int64_t movie;		/* RECORDED, DUPLICATE: the catalog's movie */
	int64_t history_id;	/* RECORDED */
};

/* Records for user what payload (the event's JSON text, len bytes) from
 * server ("plex", "jellyfin" or "emby") says.  MQ_INVALID for a payload that is not the server's JSON
 * (not an object, missing or mistyped event fields), with the reason;
 * the database's failure. */
enum mq_status mq_scrobble_record(struct mq_ctx *c, int64_t user, const char *server,
				  const char *payload, size_t len, struct mq_scrobble *out);

#endif
