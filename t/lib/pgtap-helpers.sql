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
