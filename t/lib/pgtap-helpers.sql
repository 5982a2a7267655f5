-- Assertions of our own for the pgTAP files of t/db/, loaded by
-- t/lib/db-test into each file's transaction (and so rolled back with it).

-- violates(SQL, CONSTRAINT, DESCRIPTION): SQL fails on that constraint (a
-- CHECK, a unique index, a foreign key...), not on another nor for another
-- reason.  Whatever SQL did is undone, even when it wrongly succeeded.
CREATE FUNCTION violates(sql text, want text, description text) RETURNS text
	LANGUAGE plpgsql AS $$
DECLARE
	state text;
	got text;
	msg text;
BEGIN
	BEGIN
		EXECUTE sql;
		RAISE EXCEPTION 'no error' USING ERRCODE = 'MQ001';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, got = CONSTRAINT_NAME,
			msg = MESSAGE_TEXT;
	END;
	IF state = 'MQ001' THEN
		RETURN ok(false, description) || E'\n'
			|| diag('    no error; wanted a violation of ' || want);
	END IF;
	IF got IS DISTINCT FROM want THEN
		RETURN ok(false, description) || E'\n'
			|| diag('    wanted a violation of ' || want || E'\n    got: ' || msg);
	END IF;
	RETURN ok(true, description);
END $$;

-- window_mismatches(FN, RECOUNT): the rows that the function FN(f, t)
-- gives over the windows (f, t) of the temporary table windows and the
-- function RECOUNT(f, t) does not, and the other way round: 0 when the two
-- agree on every window (the analytics' window reads against a recount
-- from raw events).
CREATE FUNCTION window_mismatches(fn text, recount text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE format($q$
		SELECT count(*) FROM (
		  (SELECT w.f, w.t, x.* FROM windows w, %1$s(w.f, w.t) x
		   EXCEPT ALL SELECT w.f, w.t, r.* FROM windows w, %2$s(w.f, w.t) r)
		  UNION ALL
		  (SELECT w.f, w.t, r.* FROM windows w, %2$s(w.f, w.t) r
		   EXCEPT ALL SELECT w.f, w.t, x.* FROM windows w, %1$s(w.f, w.t) x)) d$q$, fn, recount)
		INTO n;
	RETURN n;
END $$;
