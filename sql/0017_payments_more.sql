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

