# A replica for catalog reads, read-your-writes, and statements through a
# pooler in transaction mode (issue 21).  The "replica" is a second
# database cloned from the same template, which never receives the
# primary's writes: a movie made through the API is on the primary alone,
# so whether a read finds it says which of the two answered.  (Real
# streaming replication runs in bench/cluster; here the pool's routing is
# what is checked.)
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(
    workers => 2, replica_db => 1,
    # rendered answers would hide which database answered
    extra_config => "[cache]\nresponses = off\nverify = off\n"
                    . "[database]\nprimary_after_write = 10m\n");
my $admin = $s->admin;
my $movie = $s->movie($admin, title => 'Only On The Primary', release_date => '2001-01-01');

sub detail { $s->get("/api/movies/$movie/", $_[0] ? (token => $_[0]{access}) : ())->{status} }
# The read-your-writes marker of a user, straight from memcached.
sub marker {
    my ($user) = @_;
    return defined $s->memcached_get("ryw:$user->{id}") ? 1 : 0;
}

# --- catalog reads go to the replica ---
is detail(), 404, 'an anonymous read of the catalog is answered by the replica (which lacks the movie)';
is $s->get('/api/movies/?title=only+on+the')->{json}{count}, 0, 'so is the list';
is detail($admin), 200, 'its maker, who just wrote, reads the primary';

# --- read-your-writes: a user who writes reads the primary for a while ---
my $bob = $s->user('bob');
is detail($bob), 404, 'a signed-in user who wrote nothing reads the replica';
is marker($bob), 0, '... and has no marker';
my $r = $s->post('/api/movies/rate/', token => $bob->{access}, json => { movie => $movie, rating => 4 });
like $r->{status}, qr/^20[01]$/, 'bob rates the movie (on the primary)';
is marker($bob), 1, 'the write left his marker in memcached';
is detail($bob), 200, 'so his next read is answered by the primary, whichever worker takes it';
is $s->get("/api/movies/$movie/ratings/", token => $bob->{access})->{status}, 200,
    'his own rating is there to read';
is detail(), 404, 'others still read the replica';

# --- writes nobody reads back (analytics events) pin no one ---
my $carol = $s->user('carol');
my @seen;
wait_until { push @seen, detail($carol);
             $s->psql("SELECT count(*) FROM events WHERE user_id = $carol->{id}") > 0 }
    what => "carol's views to be written as events";
is_deeply [ grep { $_ != 404 } @seen ], [], 'carol reads the replica, views written as events and all';
is marker($carol), 0, '... and the events left her no marker';

# --- with the marker's memcached down, no marker can be trusted ---
$s->stop_memcached;
is detail($carol), 200, 'with memcached down she reads the primary';
is detail(), 404, 'anonymous reads need no marker: the replica still answers them';
$s->start_memcached;
wait_until { detail($carol) == 404 } what => 'carol to read the replica again'
    and pass 'memcached back, she reads the replica again';

# --- losing the replica costs nothing but its reads' second try ---
$s->psql('DROP DATABASE marquee_replica WITH (FORCE)');
is detail(), 200, 'with the replica gone, the primary answers its reads';
is $s->get('/api/movies/?title=only+on+the')->{json}{count}, 1, 'the list too';
like $s->log_lines(qr/database replica unavailable/), qr/reading from the primary/,
    'the pool says so in its log, once per worker';
$s->finish;

# --- [database] prepare = off: nothing named for a pooler in transaction mode ---
$s = Marquee::Stack->start(workers => 1, pg_options => '-c log_statement=all',
                           extra_config => "[database]\nprepare = off\n");
$admin = $s->admin;
$movie = $s->movie($admin, title => 'Unnamed', release_date => '2001-01-01');
my $dave = $s->user('dave');
is detail($dave), 200, 'a movie is read';
like $s->post('/api/movies/rate/', token => $dave->{access}, json => { movie => $movie, rating => 3 })->{status},
    qr/^20[01]$/, 'and rated, in a transaction';
is $s->get('/api/movies/?ordering=title')->{status}, 200, 'the list is read';
my $pglog = Marquee::Stack::slurp($s->dir . '/log/postgres.log');
my @pool = $pglog =~ /^.*\bexecute (\S+): .*$/mg;
ok scalar(@pool), 'the statements ran with the extended protocol';
is_deeply [ grep { $_ ne '<unnamed>' } @pool ], [], 'all of them unnamed: none prepared';
unlike $pglog, qr/SET statement_timeout/, 'and nothing was SET on the session';
$s->finish;

done_testing;
