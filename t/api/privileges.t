# Local privilege (issue 12, finding 9): the sockets are in a directory
# only the servers' user enters, PostgreSQL takes peer authentication and
# nothing like trust, and the pool connects as a role that reads and
# writes rows and can do nothing else: no DDL, no superuser, none of what
# it need not read.  Migrations run as the database's owner.
# Regression: the stacks ran PostgreSQL with trust on a world-writable
# socket, the pool connected as the superuser postgres, and memcached
# listened on a 0777 socket.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(workers => 1);
my $d = $s->dir;
my ($owner, $pool) = ($Marquee::Stack::OWNER, $Marquee::Stack::POOL_ROLE);

# --- who connects ---
$s->get('/readyz');
is $s->psql(q{SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity
              WHERE application_name = 'marquee-fcgi'}), $pool, "the pool connects as $pool";
for my $role ($pool, $owner) {
    is $s->psql("SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls
                 FROM pg_roles WHERE rolname = '$role'"), 'f',
        "$role is no superuser and cannot create roles or databases, replicate or bypass RLS";
}
is $s->psql("SELECT string_agg(DISTINCT pg_get_userbyid(c.relowner), ',') FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"), $owner,
    "every table, index and sequence is $owner\'s";
is $s->psql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'marquee'"), $owner,
    'and so is the database';

# --- what the pool's role may do ---
# (exit status, output) of SQL run as ROLE with psql, in database DB
sub as_role {
    my ($role, $sql, $db) = @_;
    my $cmd = join ' ', map { quotemeta } Marquee::Stack::as_user(
        "$s->{pgbin}/psql", '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', "$d/run",
        '-U', $role, '-d', $db // 'marquee', '-c', $sql);
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
}
sub allowed {
    my ($sql) = @_;
    my ($rc, $out) = as_role($pool, $sql);
    is $rc, 0, "$pool may: $sql" or diag $out;
}
sub refused {
    my ($sql, $why, $db) = @_;
    my ($rc, $out) = as_role($pool, $sql, $db);
    isnt $rc, 0, "$pool may not: $sql";
    like $out, $why, '... ' . ($out =~ /ERROR:\s+(.*)/ ? $1 : $out);
}

allowed('SELECT count(*) FROM movies');
allowed('BEGIN; INSERT INTO genres (tmdb_id, name, slug) VALUES (99999, $$X$$, $$x-test$$);
         UPDATE genres SET name = $$Y$$ WHERE tmdb_id = 99999; DELETE FROM genres WHERE tmdb_id = 99999;
         ROLLBACK');
allowed('SELECT count(*) FROM users');

refused('CREATE TABLE t (x int)', qr/permission denied for schema public/);
refused('CREATE TEMPORARY TABLE t (x int)', qr/permission denied to create temporary tables/);
refused('CREATE SCHEMA evil', qr/permission denied for database/);
refused('CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$SELECT 1$$', qr/permission denied for schema public/);
refused('DROP TABLE ratings', qr/must be owner of table ratings/);
refused('ALTER TABLE movies ADD COLUMN evil text', qr/must be owner of table movies/);
refused('ALTER TABLE users DISABLE TRIGGER ALL', qr/must be owner of table users/);
refused('CREATE INDEX ON movies (title)', qr/must be owner of table movies/);
refused('TRUNCATE ratings', qr/permission denied for table ratings/);
refused('SELECT * FROM schema_migrations', qr/permission denied for table schema_migrations/);
refused("SELECT marquee_grant_rows('$pool')", qr/permission denied for function marquee_grant_rows/);
refused("ALTER ROLE $pool SUPERUSER", qr/permission denied|must be superuser/);
refused("SET ROLE $owner", qr/permission denied to set role/);
refused('SELECT * FROM pg_authid', qr/permission denied for table pg_authid/);
refused(q{SELECT pg_read_file('/etc/passwd')}, qr/permission denied for function pg_read_file/);
refused(q{COPY movies TO PROGRAM 'true'}, qr/superuser or .*pg_execute_server_program/);
refused('SELECT 1', qr/permission denied for database "postgres"/, 'postgres');

# --- migrations: the owner's ---
my ($rc, $out) = $s->marquee('migrate');
is $rc, 0, "marquee migrate runs as $owner" or diag $out;
like $out, qr/granted the rows of every table to $pool/, "and grants $pool its rows again";
Marquee::Stack::spew("$d/pool-only.conf", "[database]\nconninfo = host=$d/run dbname=marquee user=$pool\n"
                                          . "migrations_dir = $s->{src}/sql\n");
$out = `$s->{build}/src/marquee -c $d/pool-only.conf migrate 2>&1`;
isnt $? >> 8, 0, "with the connection of $pool alone, migrate fails";
like $out, qr/permission denied/, '... for want of privileges';

# --- sockets and authentication ---
is sprintf('%04o', (stat "$d/run")[2] & 07777), '0700', 'the sockets\' directory is the servers\' user\'s alone';
is sprintf('%04o', (stat "$d/run/memcached.sock")[2] & 0077), '0000', 'memcached\'s socket is not for others';
my @hba = grep { /\S/ && !/^\s*#/ } split /\n/, Marquee::Stack::slurp("$d/pg/pg_hba.conf");
is_deeply \@hba, ['local all all peer map=marquee'], 'PostgreSQL takes peer authentication on its socket, nothing else';
SKIP: {
    skip 'another user to try needs root', 2 unless $> == 0;
    my $psql = "$s->{pgbin}/psql -X -h $d/run -U $pool -d marquee -c 'SELECT 1'";
    $out = `runuser -u daemon -- $psql 2>&1`;
    isnt $? >> 8, 0, 'another local user cannot reach PostgreSQL';
    like $out, qr/Permission denied|No such file/i, '... its socket is out of reach';
}

$s->finish;
done_testing;
