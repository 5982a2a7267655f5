-- Accounts, their tokens, and the outbox that carries their email.

-- RFC 3339 in UTC with Z, as the API writes every timestamp.
CREATE FUNCTION rfc3339(t timestamptz) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');

CREATE TABLE users (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username text NOT NULL CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{2,29}$' OR deleted_at IS NOT NULL),
	email text NOT NULL CHECK (length(email) <= 254),
	-- argon2id, in libsodium's encoded form; NULL: the account cannot log
	-- in (imported, or erased).
	password_hash text,
	role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
	is_active boolean NOT NULL DEFAULT true,
	email_verified_at timestamptz,
	-- In every access token; bumped to revoke them all at once.
	token_version integer NOT NULL DEFAULT 1,
	display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 100),
	bio text NOT NULL DEFAULT '' CHECK (length(bio) <= 2000),
	locale text CHECK (locale ~ '^[a-z]{2,3}(-[A-Z]{2})?$'),
	region text CHECK (region ~ '^[A-Z]{2}$'),
	avatar_path text,
	imported boolean NOT NULL DEFAULT false,
	last_login_at timestamptz,
	deleted_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Unique whatever the case: "Alice" and "alice" are one account.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_created_at ON users (created_at);

-- Refresh tokens, stored only as SHA-256 hashes.  Each use spends a token
-- and issues the next of its family; presenting a spent one revokes the
-- whole family (somebody else has a copy).
CREATE TABLE refresh_tokens (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	family uuid NOT NULL,
	token_hash text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	spent_at timestamptz,
	revoked_at timestamptz
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

-- Single-use tokens sent by email: address verification, password reset.
CREATE TABLE user_tokens (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
	token_hash text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

-- Email to send.  Rows are inserted in the transaction of the change that
-- causes them, so a message exists exactly when its cause does; `marquee
-- outbox` sends each one holding its row lock and marks it sent in the
-- same transaction.
CREATE TABLE outbox (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	recipient text NOT NULL CHECK (recipient !~ '[\r\n]'),
	subject text NOT NULL CHECK (subject !~ '[\r\n]'),
	body text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	attempts integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	last_error text,
	sent_at timestamptz,
	failed_at timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
