-- The pool's role reads and writes rows, and nothing more (issue 12,
-- finding 9).  Two roles share the database: its owner, who runs the
-- migrations and the bulk loads (DDL, VACUUM, temporary tables), and the
-- role the pool and the jobs connect as, which owns nothing.  `marquee
-- migrate`, connected as the owner ([database] owner_conninfo), calls
-- marquee_grant_rows() with the pool's role ([database] conninfo's user)
-- after every run, so the tables of later migrations are granted too.
--
-- The role may SELECT, INSERT, UPDATE and DELETE the rows of every table
-- (its triggers write other tables in its name), use the sequences of
-- identity columns, and call this schema's functions.  It may not read
-- schema_migrations, TRUNCATE, create, alter or drop anything: owning
-- nothing, it cannot, and the database's CREATE and TEMPORARY privileges
-- are the owner's (the deployment guide, ./dev and the tests revoke them
-- from PUBLIC).  Only the owner, and superusers, may call this function.

CREATE FUNCTION marquee_grant_rows(pool_role name) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	f regprocedure;
BEGIN
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I',
		       pool_role);
	EXECUTE format('REVOKE ALL ON schema_migrations FROM %I', pool_role);
	EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', pool_role);
	-- this schema's own functions (those of extensions stay as they are)
	FOR f IN
		SELECT p.oid::regprocedure FROM pg_proc p
		WHERE p.pronamespace = 'public'::regnamespace
		  AND p.oid <> 'marquee_grant_rows(name)'::regprocedure
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d
				  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
				    AND d.deptype = 'e')
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, pool_role);
	END LOOP;
END
$$;

REVOKE ALL ON FUNCTION marquee_grant_rows(name) FROM PUBLIC;
