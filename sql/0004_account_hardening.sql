-- Account hardening: password-reset requests queued for `marquee outbox`.

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
