-- sql/0020_oauth.sql at the database's level: one identity per provider
-- subject and per user and provider, the checks on states' nonces and
-- PKCE verifiers, codes going with their user, and an erased account
-- losing its identities and codes.
SELECT plan(10);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE VALUES
	(401, 'ann', 'ann@example.com'), (402, 'ben', 'ben@example.com');
INSERT INTO user_identities (user_id, provider, subject, email, email_verified)
	VALUES (401, 'google', 's-1', 'ann@example.com', true);

SELECT violates($$INSERT INTO user_identities (user_id, provider, subject) VALUES (402, 'google', 's-1')$$,
	'user_identities_provider_subject_key', 'a provider''s subject is one user''s');
SELECT violates($$INSERT INTO user_identities (user_id, provider, subject) VALUES (401, 'google', 's-2')$$,
	'user_identities_user_id_provider_key', 'one identity per provider and user');
SELECT violates($$INSERT INTO user_identities (user_id, provider, subject) VALUES (402, 'Google', 's-3')$$,
	'user_identities_provider_check', 'provider names are lower-case words');
SELECT lives_ok($$INSERT INTO user_identities (user_id, provider, subject) VALUES (402, 'google', 's-3')$$,
	'another subject, another user');

SELECT violates($$INSERT INTO oauth_states (state_hash, provider, nonce, code_verifier, redirect_uri, expires_at)
	VALUES ('h1', 'google', 'n-0123456789abcdef', 'short', 'https://a.test/cb', now())$$,
	'oauth_states_code_verifier_check', 'a PKCE verifier is 43 to 128 unreserved characters');
SELECT violates($$INSERT INTO oauth_states (state_hash, provider, nonce, code_verifier, redirect_uri, expires_at)
	VALUES ('h1', 'google', 'n', repeat('v', 43), 'https://a.test/cb', now())$$,
	'oauth_states_nonce_check', 'a nonce is 16 characters or more');

INSERT INTO oauth_codes (code_hash, user_id, provider, expires_at) VALUES ('c1', 401, 'google', now() + interval '1 minute');
UPDATE users SET deleted_at = now(), email = 'deleted-401@invalid', username = 'deleted-401' WHERE id = 401;
SELECT is((SELECT count(*)::int FROM user_identities WHERE user_id = 401), 0, 'an erased account keeps no identity');
SELECT is((SELECT count(*)::int FROM oauth_codes WHERE user_id = 401), 0, 'nor a code');
SELECT is((SELECT count(*)::int FROM user_identities WHERE user_id = 402), 1, 'others keep theirs');
DELETE FROM users WHERE id = 402;
SELECT is((SELECT count(*)::int FROM user_identities), 0, 'a deleted user''s identities go with it');

SELECT * FROM finish();
