-- A list's items keep positions 1..n, one item at each: through the
-- API's own statements (inserting at a position shifts the rest, deleting
-- closes the gap), and through every other way items go (a plain DELETE,
-- a movie's removal, several lists at once), which list_items_renumber
-- closes.
SELECT plan(27);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE VALUES (101, 'alice', 'a@example.com');
INSERT INTO lists (id, user_id, name, is_public) OVERRIDING SYSTEM VALUE
VALUES (501, 101, 'One', true), (502, 101, 'Two', false), (503, 101, 'Three', false);
INSERT INTO movies (id, title) SELECT 600 + i, 'Film ' || i FROM generate_series(1, 8) i;
-- A list's items as position:movie, in order.
CREATE FUNCTION items(list bigint) RETURNS text[] LANGUAGE sql STABLE RETURN ARRAY(
	SELECT position || ':' || movie_id FROM list_items WHERE list_id = list ORDER BY position);

-- The statements of src/api/lists.c: $1 list, $2 movie, $3 position
-- (NULL: the end), $4 note.
PREPARE insert_item(bigint, bigint, integer, text) AS
WITH n AS (SELECT count(*)::int AS n FROM list_items WHERE list_id = $1),
pos AS (SELECT least(coalesce($3::int, n + 1), n + 1) AS p FROM n
        WHERE NOT EXISTS (SELECT 1 FROM list_items WHERE list_id = $1 AND movie_id = $2)),
shift AS (UPDATE list_items SET position = position + 1
          WHERE list_id = $1 AND position >= (SELECT p FROM pos))
INSERT INTO list_items (list_id, movie_id, position, note)
SELECT $1, $2, p, coalesce($4, '') FROM pos RETURNING position;
PREPARE delete_item(bigint, bigint) AS
WITH gone AS (DELETE FROM list_items WHERE list_id = $1 AND movie_id = $2
              RETURNING position),
shift AS (UPDATE list_items SET position = position - 1
          WHERE list_id = $1 AND position > (SELECT position FROM gone))
SELECT count(*) FROM gone;

-- ---- the API's statements ----
SELECT results_eq('EXECUTE insert_item(501, 601, NULL, NULL)', ARRAY[1], 'the first item is at 1');
SELECT results_eq('EXECUTE insert_item(501, 602, NULL, NULL)', ARRAY[2], 'the next at the end');
SELECT results_eq($$EXECUTE insert_item(501, 603, NULL, 'third')$$, ARRAY[3], 'and the next');
SELECT results_eq('EXECUTE insert_item(501, 604, 1, NULL)', ARRAY[1], 'one inserted at 1');
SELECT is(items(501), '{1:604,2:601,3:602,4:603}', 'the others moved down one');
SELECT results_eq('EXECUTE insert_item(501, 605, 3, NULL)', ARRAY[3], 'one inserted in the middle');
SELECT is(items(501), '{1:604,2:601,3:605,4:602,5:603}', 'those after it moved down one');
SELECT results_eq('EXECUTE insert_item(501, 606, 99, NULL)', ARRAY[6],
	'a position past the end is the end');
SELECT is_empty('EXECUTE insert_item(501, 601, 1, NULL)', 'a movie on the list already: nothing');
SELECT is(items(501), '{1:604,2:601,3:605,4:602,5:603,6:606}', 'and nothing moved');
SELECT results_eq('EXECUTE delete_item(501, 605)', ARRAY[1::bigint], 'an item deleted');
SELECT is(items(501), '{1:604,2:601,3:602,4:603,5:606}', 'the gap it left is closed');
SELECT results_eq('EXECUTE delete_item(501, 606)', ARRAY[1::bigint], 'the last item deleted');
SELECT results_eq('EXECUTE delete_item(501, 606)', ARRAY[0::bigint], 'an item not on the list');
SELECT is(items(501), '{1:604,2:601,3:602,4:603}', 'nothing else moved');

-- ---- what the table refuses, and allows ----
SELECT violates('INSERT INTO list_items (list_id, movie_id, position) VALUES (501, 607, 2)',
	'list_items_position', 'two items at one position');
SELECT violates('INSERT INTO list_items (list_id, movie_id, position) VALUES (501, 601, 5)',
	'list_items_pkey', 'a movie twice on a list');
SELECT violates('INSERT INTO list_items (list_id, movie_id, position) VALUES (501, 607, 0)',
	'list_items_position_check', 'a position of 0');
SELECT lives_ok('UPDATE list_items SET position = position + 1 WHERE list_id = 501',
	'every position moved by one in one statement: checked at its end');
SELECT is(items(501), '{2:604,3:601,4:602,5:603}', 'all moved');
UPDATE list_items SET position = position - 1 WHERE list_id = 501;

-- ---- items gone by other ways: renumbered ----
DELETE FROM list_items WHERE list_id = 501 AND movie_id = 601;
SELECT is(items(501), '{1:604,2:602,3:603}', 'a plain DELETE leaves no gap');
INSERT INTO list_items (list_id, movie_id, position)
VALUES (502, 601, 1), (502, 602, 2), (502, 603, 3), (502, 604, 4), (503, 603, 1), (503, 605, 2);
DELETE FROM list_items WHERE (list_id = 502 AND movie_id IN (601, 603)) OR (list_id = 503 AND movie_id = 603);
SELECT is(items(502) || items(503), '{1:602,2:604,1:605}',
	'one statement deleting from two lists leaves no gap in either');
DELETE FROM movies WHERE id = 602;
SELECT is(items(501) || items(502), '{1:604,2:603,1:604}',
	'a movie deleted leaves no gap in the lists it was on');
SELECT results_eq('EXECUTE insert_item(501, 608, NULL, NULL)', ARRAY[3],
	'and the end is right after the last item again');
SELECT is(items(501), '{1:604,2:603,3:608}', 'with no two items at one position');
SELECT lives_ok('DELETE FROM lists WHERE user_id = 101 AND NOT is_public',
	'a user''s private lists deleted, as an erasure does');
SELECT is(items(501), '{1:604,2:603,3:608}', 'their public list stays as it was');
