-- Subscriptions and payments (issue 17): plans people pay for, the
-- gateway's customers, subscriptions and invoices as we last saw them,
-- the requests we made to the gateway (whose ids make their
-- Idempotency-Keys), and the events it sent us.
--
-- Money is integer minor units (cents) with an ISO 4217 currency, never a
-- float: bigint columns, checked positive.  The gateway (Stripe's API) is
-- the truth about a subscription; these rows are what we last read from
-- it, refreshed by its webhooks and by `marquee payments sync`.

-- ---- plans ----

CREATE TABLE plans (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
	description text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
	billing_interval text NOT NULL CHECK (billing_interval IN ('month', 'year')),
	price bigint NOT NULL CHECK (price > 0 AND price <= 100000000),
	currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	features text[] NOT NULL DEFAULT '{}'
		CHECK (array_position(features, NULL) IS NULL AND cardinality(features) <= 20),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	-- a plan with subscribers is archived, never deleted: it is offered no
	-- more, and its subscriptions go on
	archived_at timestamptz
);
CREATE UNIQUE INDEX plans_name ON plans (lower(name)) WHERE archived_at IS NULL;

-- The gateway's prices of a plan: one per (price, currency, interval) it
-- has had, created when first needed.  A subscription's price names its
-- plan even after the plan's price changed.
CREATE TABLE plan_prices (
	gateway_id text PRIMARY KEY CHECK (length(gateway_id) BETWEEN 1 AND 255),
	plan_id bigint NOT NULL REFERENCES plans ON DELETE CASCADE,
	price bigint NOT NULL CHECK (price > 0),
	currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	billing_interval text NOT NULL CHECK (billing_interval IN ('month', 'year')),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX plan_prices_terms ON plan_prices (plan_id, price, currency, billing_interval);

-- ---- the gateway's objects, as we last read them ----

-- A user's customer at the gateway, made once (its Idempotency-Key is
-- derived from the user's id).
CREATE TABLE payment_customers (
	user_id bigint PRIMARY KEY REFERENCES users ON DELETE CASCADE,
	gateway_id text NOT NULL UNIQUE CHECK (length(gateway_id) BETWEEN 1 AND 255),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subscriptions (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	gateway_id text NOT NULL UNIQUE CHECK (length(gateway_id) BETWEEN 1 AND 255),
	user_id bigint REFERENCES users ON DELETE SET NULL,
	plan_id bigint NOT NULL REFERENCES plans,
	-- the gateway's status (Stripe's): incomplete -> active | trialing ->
	-- past_due -> canceled | unpaid; incomplete_expired and canceled are final
	status text NOT NULL CHECK (status IN ('incomplete', 'incomplete_expired', 'trialing',
					       'active', 'past_due', 'canceled', 'unpaid',
					       'paused')),
	current_period_start timestamptz,
	current_period_end timestamptz,
	cancel_at_period_end boolean NOT NULL DEFAULT false,
	canceled_at timestamptz,
	ended_at timestamptz,
	-- when it last went past_due (kept while it is), for the grace period
	past_due_since timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	synced_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((status = 'past_due') = (past_due_since IS NOT NULL))
);
CREATE INDEX subscriptions_user ON subscriptions (user_id, created_at DESC);
CREATE INDEX subscriptions_open ON subscriptions (synced_at)
	WHERE status NOT IN ('canceled', 'incomplete_expired');
CREATE INDEX subscriptions_plan ON subscriptions (plan_id);

-- Invoices: what a user was asked to pay, and paid.
CREATE TABLE invoices (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	gateway_id text NOT NULL UNIQUE CHECK (length(gateway_id) BETWEEN 1 AND 255),
	subscription_id bigint REFERENCES subscriptions ON DELETE SET NULL,
	user_id bigint REFERENCES users ON DELETE SET NULL,
	number text,
	status text NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
	amount_due bigint NOT NULL CHECK (amount_due >= 0),
	amount_paid bigint NOT NULL CHECK (amount_paid >= 0),
	currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	billing_reason text,
	hosted_url text,
	period_start timestamptz,
	period_end timestamptz,
	created_at timestamptz NOT NULL,
	paid_at timestamptz,
	synced_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invoices_user ON invoices (user_id, created_at DESC, id DESC);
CREATE INDEX invoices_subscription ON invoices (subscription_id);

-- ---- what we asked of the gateway ----

-- Each POST we make to the gateway is a row first: its id makes the
-- Idempotency-Key ("marquee-request-<id>"), so a retried request (after a
-- timeout, a 500, a lost answer) is the same request to the gateway, and
-- never a second customer, session or change.  A request the gateway did
-- not answer stays 'pending'; the same request again (same user, kind,
-- subscription and plan, within a day) reuses the row and its key.
CREATE TABLE payment_requests (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('checkout', 'change', 'cancel', 'cancel_now')),
	plan_id bigint REFERENCES plans,
	subscription_id bigint REFERENCES subscriptions ON DELETE CASCADE,
	status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
	-- checkout: the session and the page the user pays on
	gateway_id text,
	url text,
	expires_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz
);
CREATE INDEX payment_requests_user ON payment_requests (user_id, kind, created_at DESC);
-- one request of a kind in flight per user: two clicks make one checkout
CREATE UNIQUE INDEX payment_requests_pending ON payment_requests (user_id, kind)
	WHERE status = 'pending';
CREATE INDEX payment_requests_open_checkouts ON payment_requests (created_at)
	WHERE kind = 'checkout' AND gateway_id IS NOT NULL AND status <> 'failed';

-- ---- the gateway's events ----

-- Every verified webhook, once: a replay of an id is a no-op.  A row is
-- processed after the commit of its delivery (`marquee payments work`,
-- `marquee payments sync`): the subscription it is about is read again
-- from the gateway, so the order events arrive in never matters.
CREATE TABLE payment_events (
	id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
	type text NOT NULL CHECK (length(type) BETWEEN 1 AND 255),
	-- the subscription, checkout session or invoice it is about
	object_type text,
	object_id text,
	subscription text,
	created timestamptz NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now(),
	deliveries integer NOT NULL DEFAULT 1,
	attempts integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	last_error text,
	processed_at timestamptz
);
CREATE INDEX payment_events_due ON payment_events (next_attempt_at)
	WHERE processed_at IS NULL;

-- ---- premium extras ----

-- Trailers, featurettes and other files an administrator offers to the
-- users entitled to a feature: files under [media] dir/protected/ (put
-- there by hand: they may be large), which nginx serves only through
-- X-Accel-Redirect from a worker that checked a short-lived signed URL.
CREATE TABLE premium_extras (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	file_path text NOT NULL CHECK (length(file_path) <= 300
				       AND file_path ~ '^[A-Za-z0-9_-][A-Za-z0-9_./-]*$'
				       AND file_path !~ '\.\.' AND file_path !~ '//'),
	content_type text NOT NULL CHECK (content_type ~ '^(video|audio|image)/[a-z0-9.+-]{1,60}$'),
	feature text NOT NULL DEFAULT 'premium_media' CHECK (feature ~ '^[a-z0-9_]{1,40}$'),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX premium_extras_movie ON premium_extras (movie_id, id);

-- ---- entitlements: the one place that says who gets premium ----

-- True when a subscription in this state gives its plan's features:
-- active or trialing (a cancellation at the period's end keeps it active
-- until then), or past_due for at most grace (the gateway still retries
-- the payment meanwhile).  incomplete, unpaid, paused, canceled and
-- incomplete_expired give nothing.
CREATE FUNCTION subscription_entitled(status text, past_due_since timestamptz, grace interval)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT status IN ('active', 'trialing')
	    OR (status = 'past_due' AND past_due_since + grace > now())
$$;
