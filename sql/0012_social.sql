-- Social and notifications (issue 15): follows and blocks, the activity
-- feed, likes on reviews, share links, notifications with their settings
-- and deliveries (email and Web Push), and the weekly digest.
--
-- What happens to people is written by triggers, in the transaction of
-- its cause: a follow, a like, a reply, a review, a password or address
-- change writes its feed event and its notifications (and their
-- deliveries) in the statement that made it, whichever client made it.
-- Bulk loads (marquee.bulk) write none.

-- ---- follows and blocks ----

-- The counts shown on profiles, kept by follows_counted.
ALTER TABLE users ADD COLUMN followers_count integer NOT NULL DEFAULT 0 CHECK (followers_count >= 0);
ALTER TABLE users ADD COLUMN following_count integer NOT NULL DEFAULT 0 CHECK (following_count >= 0);

CREATE TABLE follows (
	follower_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	followee_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	-- (follower_id, followee_id): whom a user follows, for the feed
	PRIMARY KEY (follower_id, followee_id),
	CHECK (follower_id <> followee_id)
);
-- a user's followers and followings, newest first
CREATE INDEX follows_followee ON follows (followee_id, created_at DESC, follower_id DESC);
CREATE INDEX follows_follower ON follows (follower_id, created_at DESC, followee_id DESC);

-- A blocked user cannot follow the blocker (nor be followed by them),
-- reply to the blocker's comments or like their reviews; blocking ends
-- the follows between the two, and the blocker no longer sees the
-- blocked user's comments, feed events or notifications.
CREATE TABLE blocks (
	blocker_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	blocked_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (blocker_id, blocked_id),
	CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id, blocker_id);
CREATE INDEX blocks_blocker ON blocks (blocker_id, created_at DESC);

-- Whether either of two users blocks the other.
CREATE FUNCTION blocked_between(a bigint, b bigint) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = a AND blocked_id = b)
						 OR (blocker_id = b AND blocked_id = a));

-- A follow and a block of one pair take turns (a transaction-scoped
-- lock on the pair): the follow's check sees a block committed before
-- it, and the block's removal of follows sees a follow committed
-- before it, so no follow survives a block whatever their timing.
CREATE FUNCTION lock_pair(a bigint, b bigint) RETURNS void
	LANGUAGE sql VOLATILE
	RETURN pg_advisory_xact_lock(hashtextextended('pair ' || least(a, b) || ' ' || greatest(a, b), 0));

-- 42501 (insufficient_privilege) is the code of every refusal for a
-- block; the API answers it 403.
CREATE FUNCTION follows_guard() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	PERFORM lock_pair(NEW.follower_id, NEW.followee_id);
	IF blocked_between(NEW.follower_id, NEW.followee_id) THEN
		RAISE EXCEPTION 'user % and user % block one another', NEW.follower_id, NEW.followee_id
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER follows_guard BEFORE INSERT ON follows
	FOR EACH ROW EXECUTE FUNCTION follows_guard();

CREATE FUNCTION blocks_unfollow() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	PERFORM lock_pair(NEW.blocker_id, NEW.blocked_id);
	DELETE FROM follows WHERE (follower_id = NEW.blocker_id AND followee_id = NEW.blocked_id)
			       OR (follower_id = NEW.blocked_id AND followee_id = NEW.blocker_id);
	RETURN NULL;
END $$;

CREATE TRIGGER blocks_unfollow AFTER INSERT ON blocks
	FOR EACH ROW EXECUTE FUNCTION blocks_unfollow();

-- ---- the activity feed ----

-- What users did that their followers see (GET /api/feed/): one row per
-- action, written by the action's statement (fan-out on read: a review by
-- a user with 10,000 followers is one row here; each reader merges the
-- newest rows of the people they follow, feed_events_actor).  Undoing an
-- action (a rating, a favorite, a list item or a follow removed) deletes
-- its row; what is read is checked again (a list made private, a user
-- blocked or gone) when the feed is read.
CREATE TABLE feed_events (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	actor_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	verb text NOT NULL CHECK (verb IN ('rated', 'reviewed', 'favorited', 'list_created',
					   'list_item_added', 'followed')),
	movie_id bigint REFERENCES movies ON DELETE CASCADE,
	review_id bigint REFERENCES reviews ON DELETE CASCADE,
	list_id bigint REFERENCES lists ON DELETE CASCADE,
	-- the user followed
	user_id bigint REFERENCES users ON DELETE CASCADE,
	rating numeric(2, 1),
	created_at timestamptz NOT NULL DEFAULT now()
);
-- the feed: each followed user's newest first (the id is the order and
-- the cursor: it only grows)
CREATE INDEX feed_events_actor ON feed_events (actor_id, id DESC);
-- an action undone, and the cascades
CREATE INDEX feed_events_movie ON feed_events (movie_id, actor_id) WHERE movie_id IS NOT NULL;
CREATE INDEX feed_events_review ON feed_events (review_id) WHERE review_id IS NOT NULL;
CREATE INDEX feed_events_list ON feed_events (list_id, movie_id) WHERE list_id IS NOT NULL;
CREATE INDEX feed_events_user ON feed_events (user_id, actor_id) WHERE user_id IS NOT NULL;

-- Whether movie is public (a provisional one is its maker's alone: no
-- event of it reaches anyone).
CREATE FUNCTION movie_is_public(movie bigint) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN EXISTS (SELECT 1 FROM movies WHERE id = movie AND provisional_by IS NULL);

CREATE FUNCTION bulk_load() RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN current_setting('marquee.bulk', true) = 'on';

CREATE FUNCTION ratings_feed() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF bulk_load() THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM feed_events
		WHERE movie_id = OLD.movie_id AND actor_id = OLD.user_id AND verb = 'rated';
	END IF;
	IF TG_OP <> 'DELETE' AND movie_is_public(NEW.movie_id) THEN
		INSERT INTO feed_events (actor_id, verb, movie_id, rating)
		VALUES (NEW.user_id, 'rated', NEW.movie_id, NEW.rating);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER ratings_feed AFTER INSERT OR DELETE ON ratings
	FOR EACH ROW EXECUTE FUNCTION ratings_feed();
CREATE TRIGGER ratings_feed_changed AFTER UPDATE OF rating ON ratings
	FOR EACH ROW WHEN (OLD.rating IS DISTINCT FROM NEW.rating)
	EXECUTE FUNCTION ratings_feed();

CREATE FUNCTION favorites_feed() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF bulk_load() THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'DELETE' THEN
		DELETE FROM feed_events
		WHERE movie_id = OLD.movie_id AND actor_id = OLD.user_id AND verb = 'favorited';
	ELSIF movie_is_public(NEW.movie_id) THEN
		INSERT INTO feed_events (actor_id, verb, movie_id) VALUES (NEW.user_id, 'favorited', NEW.movie_id);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER favorites_feed AFTER INSERT OR DELETE ON favorites
	FOR EACH ROW EXECUTE FUNCTION favorites_feed();

-- A list's creation is news once it is public (made so, or made public).
CREATE FUNCTION lists_feed() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.is_public AND NOT EXISTS (SELECT 1 FROM feed_events
					 WHERE list_id = NEW.id AND movie_id IS NULL) THEN
		INSERT INTO feed_events (actor_id, verb, list_id) VALUES (NEW.user_id, 'list_created', NEW.id);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER lists_feed AFTER INSERT ON lists
	FOR EACH ROW EXECUTE FUNCTION lists_feed();
CREATE TRIGGER lists_feed_public AFTER UPDATE OF is_public ON lists
	FOR EACH ROW WHEN (NEW.is_public AND NOT OLD.is_public)
	EXECUTE FUNCTION lists_feed();

-- An item of a public list (a private list's items are never written,
-- and those of a list made private later are left out when read).
CREATE FUNCTION list_items_feed() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	owner bigint;
BEGIN
	IF bulk_load() THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'DELETE' THEN
		DELETE FROM feed_events WHERE list_id = OLD.list_id AND movie_id = OLD.movie_id;
		RETURN NULL;
	END IF;
	SELECT user_id INTO owner FROM lists WHERE id = NEW.list_id AND is_public;
	IF owner IS NOT NULL AND movie_is_public(NEW.movie_id) THEN
		INSERT INTO feed_events (actor_id, verb, list_id, movie_id)
		VALUES (owner, 'list_item_added', NEW.list_id, NEW.movie_id);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER list_items_feed AFTER INSERT OR DELETE ON list_items
	FOR EACH ROW EXECUTE FUNCTION list_items_feed();

-- ---- likes on reviews ----

ALTER TABLE reviews ADD COLUMN likes_count integer NOT NULL DEFAULT 0 CHECK (likes_count >= 0);

CREATE TABLE review_likes (
	review_id bigint NOT NULL REFERENCES reviews ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (review_id, user_id)
);
CREATE INDEX review_likes_user ON review_likes (user_id);

-- ---- share links ----

-- A short public link to a movie, a review or a public list
-- (/s/{code}): code is random (16 characters of base64url: 96 bits), so
-- links cannot be guessed or enumerated.  A target that goes takes its
-- links with it; one made private answers 404 while it is.
CREATE TABLE shares (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{16,64}$'),
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('movie', 'review', 'list')),
	movie_id bigint REFERENCES movies ON DELETE CASCADE,
	review_id bigint REFERENCES reviews ON DELETE CASCADE,
	list_id bigint REFERENCES lists ON DELETE CASCADE,
	visits bigint NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK (num_nonnulls(movie_id, review_id, list_id) = 1),
	CHECK ((kind = 'movie') = (movie_id IS NOT NULL) AND (kind = 'review') = (review_id IS NOT NULL)
	       AND (kind = 'list') = (list_id IS NOT NULL))
);
-- one link per user and target: sharing again answers the same link
CREATE UNIQUE INDEX shares_once ON shares (user_id, kind, coalesce(movie_id, review_id, list_id));
CREATE INDEX shares_movie ON shares (movie_id) WHERE movie_id IS NOT NULL;
CREATE INDEX shares_review ON shares (review_id) WHERE review_id IS NOT NULL;
CREATE INDEX shares_list ON shares (list_id) WHERE list_id IS NOT NULL;

-- ---- notifications ----

-- What a user is told, in the app (GET /api/notifications/), by email
-- and by Web Push.  Unread notifications of one group (a review's likes,
-- a comment's replies, new followers) collapse into one: the newest
-- actor and a count of them ("alice and 99 others liked your review").
-- Security events never collapse and cannot be switched off.
CREATE TABLE notifications (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('follow', 'reply', 'like', 'watchlist_review',
					   'recommendations', 'password_changed', 'email_changed',
					   'new_sign_in')),
	group_key text,
	-- the newest of the actors, and how many distinct ones
	actor_id bigint REFERENCES users ON DELETE SET NULL,
	actors_count integer NOT NULL DEFAULT 1 CHECK (actors_count >= 1),
	movie_id bigint REFERENCES movies ON DELETE CASCADE,
	review_id bigint REFERENCES reviews ON DELETE CASCADE,
	comment_id bigint REFERENCES comments ON DELETE CASCADE,
	-- what else the message says: the sign-in's address, the old email
	-- address, the digest's movies
	data jsonb NOT NULL DEFAULT '{}',
	-- shown in the app (the user's setting when it was made); one that is
	-- not is born read, and only delivered
	in_app boolean NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	read_at timestamptz
);
CREATE INDEX notifications_user ON notifications (user_id, updated_at DESC, id DESC) WHERE in_app;
CREATE INDEX notifications_unread ON notifications (user_id, updated_at DESC, id DESC)
	WHERE in_app AND read_at IS NULL;
CREATE UNIQUE INDEX notifications_collapse ON notifications (user_id, kind, group_key)
	WHERE read_at IS NULL AND group_key IS NOT NULL;
CREATE INDEX notifications_actor ON notifications (actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX notifications_movie ON notifications (movie_id) WHERE movie_id IS NOT NULL;
CREATE INDEX notifications_review ON notifications (review_id) WHERE review_id IS NOT NULL;
CREATE INDEX notifications_comment ON notifications (comment_id) WHERE comment_id IS NOT NULL;
-- one weekly digest per user and week, however often the job runs
CREATE UNIQUE INDEX notifications_digest ON notifications (user_id, (data->>'week'))
	WHERE kind = 'recommendations';

CREATE TABLE notification_actors (
	notification_id bigint NOT NULL REFERENCES notifications ON DELETE CASCADE,
	actor_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	PRIMARY KEY (notification_id, actor_id)
);
CREATE INDEX notification_actors_actor ON notification_actors (actor_id);

-- The settings kind of a notification kind: the three security events
-- are one.
CREATE FUNCTION notification_setting(kind text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN kind IN ('password_changed', 'email_changed', 'new_sign_in') THEN 'security'
		    ELSE kind END;

-- The defaults of each settings kind and channel; fixed ones cannot be
-- changed (security).  The one place they are written.
CREATE FUNCTION notification_defaults()
	RETURNS TABLE (kind text, in_app boolean, email boolean, push boolean, fixed boolean)
	LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	VALUES ('follow', true, false, true, false),
	       ('reply', true, true, true, false),
	       ('like', true, false, true, false),
	       ('watchlist_review', true, false, true, false),
	       ('recommendations', true, true, false, false),
	       ('security', true, true, true, true)
$$;

-- A user's choices, per settings kind; NULL: the default.
CREATE TABLE notification_settings (
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('follow', 'reply', 'like', 'watchlist_review',
					   'recommendations')),
	in_app boolean,
	email boolean,
	push boolean,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, kind)
);

-- A user's settings in effect, every kind.
CREATE FUNCTION notification_prefs(uid bigint)
	RETURNS TABLE (kind text, in_app boolean, email boolean, push boolean, fixed boolean)
	LANGUAGE sql STABLE AS $$
	SELECT d.kind,
	       CASE WHEN d.fixed THEN d.in_app ELSE coalesce(s.in_app, d.in_app) END,
	       CASE WHEN d.fixed THEN d.email ELSE coalesce(s.email, d.email) END,
	       CASE WHEN d.fixed THEN d.push ELSE coalesce(s.push, d.push) END,
	       d.fixed
	FROM notification_defaults() d
	LEFT JOIN notification_settings s ON s.user_id = uid AND s.kind = d.kind
$$;

-- Browsers' Web Push subscriptions (RFC 8030): the push service's URL
-- for one browser and its keys (RFC 8291).  A push service answering
-- 404 or 410 for one ends it.
CREATE TABLE push_subscriptions (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	endpoint text NOT NULL UNIQUE CHECK (length(endpoint) <= 2048),
	p256dh text NOT NULL CHECK (p256dh ~ '^[A-Za-z0-9_-]{87}$'),
	auth text NOT NULL CHECK (auth ~ '^[A-Za-z0-9_-]{22}$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	last_success_at timestamptz
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, id);

-- Each notification's email and each push to one of the user's browsers,
-- sent by `marquee outbox` (the outbox pattern): written with the
-- notification, claimed with FOR UPDATE SKIP LOCKED and a lease (the
-- claim moves next_attempt_at a lease ahead and names itself in
-- lease), marked sent by the claim that sent it, retried with back-off.
-- A sender killed mid-batch leaves its claimed rows to be claimed again
-- once the lease has run out; nothing is lost.
CREATE TABLE deliveries (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	notification_id bigint NOT NULL REFERENCES notifications ON DELETE CASCADE,
	channel text NOT NULL CHECK (channel IN ('email', 'push')),
	subscription_id bigint REFERENCES push_subscriptions ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	attempts integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	lease bigint,
	last_error text,
	-- sent, or finished otherwise: 'skipped' (the setting was turned off,
	-- the address is not confirmed), 'refused' (for good), 'gave up'
	sent_at timestamptz,
	finished_at timestamptz,
	outcome text CHECK (outcome IN ('sent', 'skipped', 'refused', 'gave up')),
	CHECK ((channel = 'push') = (subscription_id IS NOT NULL)),
	CHECK ((outcome = 'sent') = (sent_at IS NOT NULL)),
	CHECK ((outcome IS NULL) = (finished_at IS NULL))
);
CREATE UNIQUE INDEX deliveries_once ON deliveries (notification_id, channel, coalesce(subscription_id, 0));
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE finished_at IS NULL;
CREATE INDEX deliveries_subscription ON deliveries (subscription_id) WHERE subscription_id IS NOT NULL;
CREATE INDEX deliveries_finished ON deliveries (finished_at) WHERE finished_at IS NOT NULL;
CREATE SEQUENCE delivery_leases;

-- The client addresses a user has signed in from: a sign-in from one
-- not seen before (after the first) is a security notification.
CREATE TABLE sign_ins (
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	address text NOT NULL CHECK (length(address) <= 64),
	first_at timestamptz NOT NULL DEFAULT now(),
	last_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, address)
);

-- Tells recipient of what actor did (kind), unless they are one, the
-- recipient is gone or blocks actor, or every channel of the kind is off.
-- An unread notification of the same group_key takes actor in instead
-- (a burst is one notification).  A new notification gets its
-- deliveries: an email when the kind's email channel is on and the
-- address confirmed (never for password_changed: accounts mails that
-- notice itself), a push to each of the user's browsers when push is on.
-- Returns the notification's id, or NULL.
CREATE FUNCTION notify(recipient bigint, nkind text, actor bigint, gkey text, movie bigint,
		       review bigint, comment bigint, details jsonb) RETURNS bigint
	LANGUAGE plpgsql AS $$
DECLARE
	p record;
	nid bigint;
	fresh boolean;
	verified boolean;
BEGIN
	IF recipient IS NULL OR recipient IS NOT DISTINCT FROM actor THEN
		RETURN NULL;
	END IF;
	SELECT email_verified_at IS NOT NULL INTO verified FROM users
	WHERE id = recipient AND is_active AND deleted_at IS NULL AND NOT imported;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF actor IS NOT NULL AND EXISTS (SELECT 1 FROM blocks
					 WHERE blocker_id = recipient AND blocked_id = actor) THEN
		RETURN NULL;
	END IF;
	SELECT * INTO p FROM notification_prefs(recipient) WHERE kind = notification_setting(nkind);
	IF NOT (p.in_app OR p.email OR p.push) THEN
		RETURN NULL;
	END IF;
	IF NOT p.in_app THEN
		gkey := NULL;
	END IF;
	INSERT INTO notifications AS n (user_id, kind, group_key, actor_id, movie_id, review_id,
					comment_id, data, in_app, read_at)
	VALUES (recipient, nkind, gkey, actor, movie, review, comment, coalesce(details, '{}'),
		p.in_app, CASE WHEN p.in_app THEN NULL ELSE now() END)
	ON CONFLICT (user_id, kind, group_key) WHERE read_at IS NULL AND group_key IS NOT NULL
	DO UPDATE SET group_key = n.group_key
	RETURNING n.id, n.xmax = 0 INTO nid, fresh;
	IF actor IS NOT NULL THEN
		INSERT INTO notification_actors VALUES (nid, actor) ON CONFLICT DO NOTHING;
		IF FOUND AND NOT fresh THEN
			UPDATE notifications
			SET actors_count = actors_count + 1, actor_id = actor, updated_at = now(),
			    data = data || coalesce(details, '{}')
			WHERE id = nid;
		END IF;
	END IF;
	IF NOT fresh THEN
		RETURN nid;
	END IF;
	IF p.email AND nkind <> 'password_changed'
	   AND (verified OR (details->>'old_email_verified')::boolean) THEN
		INSERT INTO deliveries (notification_id, channel) VALUES (nid, 'email');
	END IF;
	IF p.push THEN
		INSERT INTO deliveries (notification_id, channel, subscription_id)
		SELECT nid, 'push', s.id FROM push_subscriptions s WHERE s.user_id = recipient;
	END IF;
	PERFORM pg_notify('marquee_outbox', '');
	RETURN nid;
END $$;

-- ---- the causes ----

CREATE FUNCTION follows_changed() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	d integer := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
	r follows := CASE TG_OP WHEN 'INSERT' THEN NEW ELSE OLD END;
BEGIN
	-- one statement, rows in id order: two opposite follows at once
	-- lock the pair's rows in the same order
	UPDATE users
	SET following_count = following_count + CASE WHEN id = r.follower_id THEN d ELSE 0 END,
	    followers_count = followers_count + CASE WHEN id = r.followee_id THEN d ELSE 0 END
	WHERE id IN (r.follower_id, r.followee_id);
	IF TG_OP = 'DELETE' THEN
		DELETE FROM feed_events
		WHERE user_id = OLD.followee_id AND actor_id = OLD.follower_id AND verb = 'followed';
	ELSE
		INSERT INTO feed_events (actor_id, verb, user_id)
		VALUES (NEW.follower_id, 'followed', NEW.followee_id);
		PERFORM notify(NEW.followee_id, 'follow', NEW.follower_id, 'followers', NULL, NULL, NULL,
			       NULL);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER follows_changed AFTER INSERT OR DELETE ON follows
	FOR EACH ROW EXECUTE FUNCTION follows_changed();

-- A like: counted on the review, and its author told (the likes of one
-- review collapse while unread).  A user the author blocks cannot like.
CREATE FUNCTION review_likes_guard() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM reviews v JOIN blocks b ON b.blocker_id = v.user_id
		   WHERE v.id = NEW.review_id AND b.blocked_id = NEW.user_id) THEN
		RAISE EXCEPTION 'the author of review % blocks user %', NEW.review_id, NEW.user_id
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER review_likes_guard BEFORE INSERT ON review_likes
	FOR EACH ROW EXECUTE FUNCTION review_likes_guard();

CREATE FUNCTION review_likes_changed() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	author bigint;
	movie bigint;
BEGIN
	IF TG_OP = 'DELETE' THEN
		UPDATE reviews SET likes_count = likes_count - 1 WHERE id = OLD.review_id;
		RETURN NULL;
	END IF;
	UPDATE reviews SET likes_count = likes_count + 1 WHERE id = NEW.review_id
	RETURNING user_id, movie_id INTO author, movie;
	PERFORM notify(author, 'like', NEW.user_id, 'review ' || NEW.review_id, movie, NEW.review_id,
		       NULL, NULL);
	RETURN NULL;
END $$;

CREATE TRIGGER review_likes_changed AFTER INSERT OR DELETE ON review_likes
	FOR EACH ROW EXECUTE FUNCTION review_likes_changed();

-- A reply: refused when the parent's author blocks the replier; else the
-- parent's author is told (the replies to one comment collapse).
CREATE FUNCTION comments_guard() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.parent_id IS NOT NULL
	   AND EXISTS (SELECT 1 FROM comments p JOIN blocks b ON b.blocker_id = p.user_id
		       WHERE p.id = NEW.parent_id AND b.blocked_id = NEW.user_id) THEN
		RAISE EXCEPTION 'the author of comment % blocks user %', NEW.parent_id, NEW.user_id
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER comments_guard BEFORE INSERT ON comments
	FOR EACH ROW EXECUTE FUNCTION comments_guard();

CREATE FUNCTION comments_replied() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	PERFORM notify(p.user_id, 'reply', NEW.user_id, 'comment ' || p.id, NEW.movie_id, NULL, p.id,
		       jsonb_build_object('reply', NEW.id))
	FROM comments p WHERE p.id = NEW.parent_id AND p.deleted_at IS NULL;
	RETURN NULL;
END $$;

CREATE TRIGGER comments_replied AFTER INSERT ON comments
	FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL)
	EXECUTE FUNCTION comments_replied();

-- A review: in the author's followers' feeds (one row), and news for
-- each follower with the movie on their watchlist, not yet watched.
CREATE FUNCTION reviews_written() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF bulk_load() THEN
		RETURN NULL;
	END IF;
	INSERT INTO feed_events (actor_id, verb, movie_id, review_id, rating)
	VALUES (NEW.user_id, 'reviewed', NEW.movie_id, NEW.id, NEW.rating);
	PERFORM notify(w.user_id, 'watchlist_review', NEW.user_id, 'review ' || NEW.id, NEW.movie_id,
		       NEW.id, NULL, NULL)
	FROM watchlist w JOIN follows f ON f.follower_id = w.user_id AND f.followee_id = NEW.user_id
	WHERE w.movie_id = NEW.movie_id AND NOT w.watched;
	RETURN NULL;
END $$;

CREATE TRIGGER reviews_written AFTER INSERT ON reviews
	FOR EACH ROW EXECUTE FUNCTION reviews_written();

-- Security events: a new password (a change or a reset moves the token
-- version; a login's rehash does not) and a new address (not an
-- erasure), told to the user whatever their settings; a new address is
-- told to the old one.
CREATE FUNCTION users_security() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.deleted_at IS NOT NULL THEN
		RETURN NULL;
	END IF;
	IF OLD.password_hash IS NOT NULL AND NEW.password_hash IS NOT NULL
	   AND OLD.password_hash <> NEW.password_hash AND OLD.token_version <> NEW.token_version THEN
		PERFORM notify(NEW.id, 'password_changed', NULL, NULL, NULL, NULL, NULL, NULL);
	END IF;
	IF lower(OLD.email) <> lower(NEW.email) THEN
		PERFORM notify(NEW.id, 'email_changed', NULL, NULL, NULL, NULL, NULL,
			       jsonb_build_object('old_email', OLD.email,
						  'old_email_verified', OLD.email_verified_at IS NOT NULL));
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER users_security AFTER UPDATE OF password_hash, email ON users
	FOR EACH ROW EXECUTE FUNCTION users_security();

-- An erased account leaves the social graph: its follows both ways (the
-- counts follow), its feed events and those about it.
CREATE FUNCTION users_erased() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM follows WHERE follower_id = NEW.id OR followee_id = NEW.id;
	DELETE FROM feed_events WHERE actor_id = NEW.id;
	DELETE FROM push_subscriptions WHERE user_id = NEW.id;
	RETURN NULL;
END $$;

CREATE TRIGGER users_erased AFTER UPDATE OF deleted_at ON users
	FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
	EXECUTE FUNCTION users_erased();
