-- Social login (issue 18): accounts signed in through an OAuth 2.0 /
-- OpenID Connect provider ([oauth.NAME] in marquee.conf).
--
-- user_identities: which provider account (its stable subject: OIDC's
-- "sub", GitHub's numeric user id) signs in as which user.  One per
-- provider and user.
--
-- oauth_states: a sign-in in progress, between GET .../start/ and the
-- provider's redirect to GET .../callback/.  Keyed by the SHA-256 of the
-- state sent to the provider; spent (deleted) by the callback, whatever
-- happens next; useless after expires_at.  The nonce and the PKCE
-- verifier are checked against the provider's answer.
--
-- oauth_codes: the one-time codes the callback hands the client (at its
-- redirect_uri) and POST /api/auth/oauth/exchange/ swaps for tokens: only
-- the SHA-256 is stored, each is spent by its first use, and lives a
-- minute.  Expired states and codes are deleted by `marquee outbox`'s
-- hourly pruning, and by each new start.

CREATE TABLE user_identities (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	provider text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
	subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
	-- the address the provider gave, as it was at the last sign-in
	email text CHECK (length(email) <= 254),
	email_verified boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_used_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (provider, subject),
	UNIQUE (user_id, provider)
);

CREATE TABLE oauth_states (
	state_hash text PRIMARY KEY,
	provider text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
	nonce text NOT NULL CHECK (length(nonce) BETWEEN 16 AND 128),
	code_verifier text NOT NULL CHECK (code_verifier ~ '^[A-Za-z0-9._~-]{43,128}$'),
	redirect_uri text NOT NULL CHECK (length(redirect_uri) <= 2048),
	client_state text CHECK (length(client_state) <= 512),
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL
);
CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at);

CREATE TABLE oauth_codes (
	code_hash text PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	provider text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL
);
CREATE INDEX oauth_codes_expires_at ON oauth_codes (expires_at);

-- An erased account (users.deleted_at set) keeps no identity: the
-- provider's subject and address are personal data, and nobody may sign
-- in as it again.
CREATE FUNCTION users_erased_identities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM user_identities WHERE user_id = NEW.id;
	DELETE FROM oauth_codes WHERE user_id = NEW.id;
	RETURN NULL;
END
$$;

CREATE TRIGGER users_erased_identities AFTER UPDATE OF deleted_at ON users
	FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
	EXECUTE FUNCTION users_erased_identities();
