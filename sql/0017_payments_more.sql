-- Subscriptions and payments, continued (issue 17): one live subscription
-- a user, refunds, and the subscription's changes as analytics events.

-- ---- one live subscription per user ----

-- A subscription that is not over (anything but canceled and
-- incomplete_expired) is live, and a user has at most one: the checkout
-- refuses a second, and the database refuses it whatever the gateway
-- says (a second checkout paid, a race): the sync then leaves the second
-- out and says so (payments/sync.c), rather than give a user two.
DO $$
DECLARE
	dup text;
BEGIN
	SELECT string_agg(user_id::text, ', ') INTO dup
	FROM (SELECT user_id FROM subscriptions
	      WHERE user_id IS NOT NULL AND status NOT IN ('canceled', 'incomplete_expired')
	      GROUP BY user_id HAVING count(*) > 1) d;
	IF dup IS NOT NULL THEN
		RAISE EXCEPTION 'users with two live subscriptions: %', dup
			USING HINT = 'Cancel all but one of each at the payment gateway, run '
				     '`marquee payments sync`, then migrate again.';
	END IF;
END $$;

CREATE UNIQUE INDEX subscriptions_live ON subscriptions (user_id)
	WHERE status NOT IN ('canceled', 'incomplete_expired');

-- ---- refunds ----

-- An invoice's payment: the gateway's charge (refunds name it), and how
-- much of it was given back, as the gateway last said (never more than
-- was paid; integer minor units, as every amount).
ALTER TABLE invoices
	ADD COLUMN charge_id text CHECK (length(charge_id) BETWEEN 1 AND 255),
	ADD COLUMN amount_refunded bigint NOT NULL DEFAULT 0,
	ADD CONSTRAINT invoices_amount_refunded CHECK (amount_refunded BETWEEN 0 AND amount_paid);
CREATE INDEX invoices_charge ON invoices (charge_id) WHERE charge_id IS NOT NULL;

-- The refunds an administrator asked for (POST
-- /api/admin/payments/{id}/refund/): each a row first, whose id makes the
-- call's Idempotency-Key ("marquee-refund-<id>"), so that the same
-- request again after a timeout, a 500 or a lost answer is the same
-- refund to the gateway, never a second one.  A row the gateway has not
-- answered is 'requested' (one at a time a payment: a second request
-- with its amount is a retry of it); then the refund's status as the
-- gateway gave it, or 'refused' (400, 402: nothing was refunded).
CREATE TABLE refunds (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	invoice_id bigint NOT NULL REFERENCES invoices ON DELETE CASCADE,
	amount bigint NOT NULL CHECK (amount > 0),
	currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	status text NOT NULL DEFAULT 'requested'
		CHECK (status IN ('requested', 'refused', 'pending', 'requires_action', 'succeeded',
				  'failed', 'canceled')),
	gateway_id text UNIQUE CHECK (length(gateway_id) BETWEEN 1 AND 255),
	requested_by bigint REFERENCES users ON DELETE SET NULL,
	last_error text,
	created_at timestamptz NOT NULL DEFAULT now(),
	answered_at timestamptz,
	CHECK ((status = 'requested') = (answered_at IS NULL))
);
CREATE INDEX refunds_invoice ON refunds (invoice_id, created_at DESC);
CREATE UNIQUE INDEX refunds_unanswered ON refunds (invoice_id) WHERE status = 'requested';

-- ---- a subscription's changes, as analytics events ----

-- Every change of a subscription's state is an event 'subscription_change'
-- of its user (sql/0014: track(), in the transaction of the change),
-- with data {change, subscription, plan, status, from?}: change is
-- created (a user's first), resubscribed (a later one), activated
-- (active or trialing: paid, or paid again), past_due, unpaid, paused,
-- canceled (over), plan_changed (from: the plan before),
-- cancel_scheduled or cancel_withdrawn (at the period's end), or
-- refunded (of a payment: value the amount in minor units, data
-- {invoice, currency}).
ALTER TABLE events DROP CONSTRAINT events_kind_check;
ALTER TABLE events ADD CONSTRAINT events_kind_check CHECK (kind IN (
	'sign_up', 'sign_in', 'movie_view', 'search', 'favorite', 'unfavorite',
	'watchlist_add', 'watchlist_remove', 'watched', 'rating', 'rating_removed', 'review',
	'comment', 'list_change', 'follow', 'unfollow', 'share_visit',
	'trailer_play', 'share_click', 'rec_impression', 'rec_click',
	'subscription_change')) NOT VALID;
ALTER TABLE events VALIDATE CONSTRAINT events_kind_check;

-- The change a subscription entering status is.
CREATE FUNCTION subscription_status_change(status text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN status IN ('active', 'trialing') THEN 'activated'
		    WHEN status IN ('canceled', 'incomplete_expired') THEN 'canceled'
		    ELSE status END;

CREATE FUNCTION subscriptions_events() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	d jsonb := jsonb_build_object('subscription', NEW.id, 'plan', NEW.plan_id,
				      'status', NEW.status);
BEGIN
	IF NEW.user_id IS NULL THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'INSERT' THEN
		PERFORM track('subscription_change', NEW.user_id, NULL, NULL, d || jsonb_build_object(
			'change', CASE WHEN EXISTS (SELECT 1 FROM subscriptions
						    WHERE user_id = NEW.user_id AND id <> NEW.id)
				  THEN 'resubscribed' ELSE 'created' END));
		IF NEW.status <> 'incomplete' THEN
			PERFORM track('subscription_change', NEW.user_id, NULL, NULL,
				      d || jsonb_build_object('change', subscription_status_change(NEW.status)));
		END IF;
		RETURN NULL;
	END IF;
	IF NEW.plan_id IS DISTINCT FROM OLD.plan_id THEN
		PERFORM track('subscription_change', NEW.user_id, NULL, NULL,
			      d || jsonb_build_object('change', 'plan_changed', 'from', OLD.plan_id));
	END IF;
	IF NEW.cancel_at_period_end <> OLD.cancel_at_period_end AND NEW.status = OLD.status THEN
		PERFORM track('subscription_change', NEW.user_id, NULL, NULL, d || jsonb_build_object(
			'change', CASE WHEN NEW.cancel_at_period_end THEN 'cancel_scheduled'
				       ELSE 'cancel_withdrawn' END));
	END IF;
	IF NEW.status IS DISTINCT FROM OLD.status THEN
		PERFORM track('subscription_change', NEW.user_id, NULL, NULL, d || jsonb_build_object(
			'change', subscription_status_change(NEW.status), 'from', OLD.status));
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER subscriptions_events_created AFTER INSERT ON subscriptions
	FOR EACH ROW EXECUTE FUNCTION subscriptions_events();
CREATE TRIGGER subscriptions_events_changed AFTER UPDATE ON subscriptions
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
			   OR OLD.plan_id IS DISTINCT FROM NEW.plan_id
			   OR OLD.cancel_at_period_end IS DISTINCT FROM NEW.cancel_at_period_end)
	EXECUTE FUNCTION subscriptions_events();

-- A payment refunded (more of it than before): value how much more.
CREATE FUNCTION invoices_refund_events() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	before bigint := CASE TG_OP WHEN 'INSERT' THEN 0 ELSE OLD.amount_refunded END;
BEGIN
	IF NEW.user_id IS NOT NULL AND NEW.amount_refunded > before THEN
		PERFORM track('subscription_change', NEW.user_id, NULL, NEW.amount_refunded - before,
			      jsonb_build_object('change', 'refunded', 'subscription', NEW.subscription_id,
						 'plan', (SELECT plan_id FROM subscriptions
							  WHERE id = NEW.subscription_id),
						 'invoice', NEW.id, 'currency', NEW.currency));
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER invoices_refund_events AFTER INSERT OR UPDATE OF amount_refunded ON invoices
	FOR EACH ROW EXECUTE FUNCTION invoices_refund_events();
