-- Hardening from the penetration test of issue 12.

-- ---- Sessions (finding 6) ----
-- An access token names its session, the family of refresh tokens its
-- login started (claim "sid"), and http/auth.c checks on every request,
-- in the statement that reads the caller's role, that the session lives:
-- it has its one unspent, unrevoked token, and no revoked member (a token
-- a concurrent refresh inserted escapes a revocation's snapshot, but the
-- one it spent does not).  Logout, the reuse of a spent token and a
-- password change end its access tokens at once.  Two small partial
-- indexes make each test one probe, however long a family has grown (a
-- token per refresh, kept a week past its expiry).
CREATE INDEX refresh_tokens_live ON refresh_tokens (family)
	WHERE revoked_at IS NULL AND spent_at IS NULL;
CREATE INDEX refresh_tokens_revoked ON refresh_tokens (family) WHERE revoked_at IS NOT NULL;
