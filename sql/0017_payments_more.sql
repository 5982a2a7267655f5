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

