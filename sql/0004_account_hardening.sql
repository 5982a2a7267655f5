-- Account hardening: password-reset requests queued for `marquee outbox`,
-- and the outbox keeping no secrets once a message has left.

-- Password-reset requests, whatever the address.  The API only inserts
-- one here, so a request for an address with an account does exactly the
-- same work as one for an address without (answering sooner for one of
-- them told them apart by timing).  `marquee outbox` empties the table:
-- for an active account with the address it voids the account's unused
-- reset links, records the new one and queues the mail; every row is
-- then deleted.
CREATE TABLE password_reset_requests (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email text NOT NULL,
	token_hash text NOT NULL,
	subject text NOT NULL CHECK (subject !~ '[\r\n]'),
	-- carries the link: kept only until the row is resolved
	body text NOT NULL,
	-- false: the address had its fill of mail for the hour; nothing is sent
	may_mail boolean NOT NULL,
	requested_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL
);

-- A message that was sent or given up on keeps its recipient and subject
-- as a record, never its body (it carried a one-time link): clear those
-- kept so far.  `marquee outbox` now clears each one as it finishes, and
-- deletes them after a week.
UPDATE outbox SET body = '' WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL;
CREATE INDEX outbox_done ON outbox (coalesce(sent_at, failed_at))
	WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL;
