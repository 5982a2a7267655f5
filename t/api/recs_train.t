# `marquee recs train` and `marquee recs status`: a version published in one
# transaction, requests that race a training run served by the old version
# until the swap and never an error, a run killed midway leaving the old
# version serving (and marked failed by the next), one run at a time, old
# versions pruned.
use strict;
use warnings;
use Test::More;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time);
use Marquee::Stack;

my $s = Marquee::Stack->start;
$s->demo_catalog(200);

# Users with some taste (imported accounts), so the lists have content.
$s->psql(q{INSERT INTO users (username, email, imported) SELECT 'fan-' || g, 'fan-' || g || '@example.test',
           true FROM generate_series(1, 40) g});
$s->psql(q{INSERT INTO ratings (user_id, movie_id, rating)
           SELECT u.id, m.id, 3 + (u.id + m.id) % 3 FROM users u JOIN movies m
           ON (m.id + u.id) % 9 = 0 WHERE u.username LIKE 'fan-%'});

my ($rc, $out) = $s->marquee('recs', 'status');
is $rc, 0, 'marquee recs status before any training';
like $out, qr/no active version/, 'says there is none';

($rc, $out) = $s->marquee('recs', 'train');
is $rc, 0, 'the first training run' or diag $out;
my ($v1) = $out =~ /^version (\d+)/m;
ok $v1, "publishes version $v1";
is $s->psql('SELECT version FROM recs_active'), $v1, 'active';
($rc, $out) = $s->marquee('recs', 'status');
like $out, qr/active version $v1, published \S+Z \(\d+s ago\)/, 'status: the active version and its age';
like $out, qr/"signals": \d+/, 'its metrics';
like $out, qr/recs_items \d+ \w+/, 'and the size of its tables';
like $out, qr/\b$v1\s+active\b/, 'and the runs';

my $fan = $s->user('viewer');
my $top = $s->psql('SELECT movie_id FROM ratings GROUP BY movie_id ORDER BY count(*) DESC, movie_id LIMIT 1');
$s->post('/api/movies/rate/', token => $fan->{access}, json => { movie => 0 + $top, rating => 5 });
my $url = '/api/movies/recommended/';
is $s->get($url, token => $fan->{access})->{json}{model_version}, $v1, 'requests are served by it';

# A session that holds the row of recs_active: a training run does all its
# work, then waits for it at the swap, inside its transaction.  (Open it
# after forking anything that does not exec: a child holding the pipe
# would keep psql from ever seeing its end.)
sub hold_active {
    my @cmd = Marquee::Stack::as_user("$s->{pgbin}/psql", '-X', '-q', '-h', $s->dir . '/run',
                                       '-U', 'postgres', '-d', 'marquee');
    open my $psql, '|-', join(' ', map { quotemeta } @cmd) . ' >/dev/null' or die "psql: $!";
    select((select($psql), $| = 1)[0]);
    print {$psql} "BEGIN; SELECT 1 FROM recs_active FOR UPDATE;\n";
    Marquee::Stack::wait_for('the lock on recs_active', 20, sub {
        $s->psql(q{SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                   WHERE c.relname = 'recs_active' AND l.mode = 'RowShareLock' AND l.granted}) > 0 });
    return $psql;
}
sub release { my ($psql) = @_; print {$psql} "COMMIT;\n"; close $psql }
sub start_training {
    my $log = $s->dir . '/log/train.log';
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>>', $log;
        open STDERR, '>&', \*STDOUT;
        exec "$s->{build}/src/marquee", '-c', $s->{conf}, 'recs', 'train' or POSIX::_exit(127);
    }
    return $pid;
}
sub wait_blocked {
    Marquee::Stack::wait_for('the training run to wait at the swap', 60, sub {
        $s->psql(q{SELECT count(*) FROM pg_stat_activity WHERE application_name = 'marquee recs train'
                   AND wait_event_type = 'Lock'}) > 0 });
}

# ---- a run racing requests: the old version serves until the swap ----
my $load = $s->background_load($url, clients => 2);
my $psql = hold_active();
my $pid = start_training();
wait_blocked();
my ($v2) = $s->psql("SELECT max(id) FROM recs_versions WHERE status = 'training'");
ok $v2 && $v2 > $v1, "run $v2 is training";
my $r = $s->get($url, token => $fan->{access});
is $r->{status}, 200, 'while it waits at the swap, requests succeed';
is $r->{json}{model_version}, $v1, 'served by the old version';
is $s->psql("SELECT count(*) FROM recs_items WHERE version = $v2"), 0,
    'whose rows nobody else sees yet';
release($psql);
waitpid $pid, 0;
is $? >> 8, 0, 'the run finishes once the swap may happen';
is $s->get($url, token => $fan->{access})->{json}{model_version}, $v2, 'the next request: the new version';
my $tally = $load->stop;
ok $tally->{total} > 0, "requests were made all along ($tally->{total})";
is $tally->{failed}, 0, 'and none failed' or diag explain $tally->{by_status};
is $s->psql("SELECT status FROM recs_versions WHERE id = $v1"), 'retired', 'the old version is retired';
ok $s->psql("SELECT count(*) FROM recs_items WHERE version = $v1") > 0, 'and kept, for one more run';

# ---- a run killed midway: the old version keeps serving ----
$psql = hold_active();
$pid = start_training();
wait_blocked();
my ($v3) = $s->psql("SELECT max(id) FROM recs_versions WHERE status = 'training'");
kill 'KILL', $pid;
waitpid $pid, 0;
release($psql);
Marquee::Stack::wait_for('the killed run\'s session to end', 20, sub {
    $s->psql(q{SELECT count(*) FROM pg_stat_activity WHERE application_name = 'marquee recs train'}) == 0 });
is $s->psql('SELECT version FROM recs_active'), $v2, 'after a run killed midway the old version is active';
is $s->psql("SELECT count(*) FROM recs_items WHERE version = $v3"), 0, 'none of its rows remain';
$r = $s->get($url, token => $fan->{access});
is $r->{status}, 200, 'requests succeed';
is $r->{json}{model_version}, $v2, 'from the old version';
is $s->psql("SELECT status FROM recs_versions WHERE id = $v3"), 'training', 'its run still says training';

# ---- the next run: marks it failed, publishes, prunes ----
($rc, $out) = $s->marquee('recs', 'train');
is $rc, 0, 'the next run' or diag $out;
my ($v4) = $out =~ /^version (\d+)/m;
is $s->psql('SELECT version FROM recs_active'), $v4, "publishes version $v4";
is $s->psql("SELECT status FROM recs_versions WHERE id = $v3"), 'failed', 'and marks the killed run failed';
like $s->psql("SELECT error FROM recs_versions WHERE id = $v3"), qr/ended before it published/, 'saying why';
is $s->psql("SELECT count(*) FROM recs_versions WHERE id = $v1"), 0, 'the version two back is gone';
is $s->psql("SELECT count(*) FROM recs_items WHERE version = $v1"), 0, 'with its rows';
is $s->psql("SELECT status FROM recs_versions WHERE id = $v2"), 'retired', 'the one before stays';

# ---- one run at a time ----
$psql = hold_active();
$pid = start_training();
wait_blocked();
($rc, $out) = $s->marquee('recs', 'train');
is $rc, 0, 'a second run while one is training exits 0';
like $out, qr/another training run is in progress/, 'saying so';
release($psql);
waitpid $pid, 0;
is $? >> 8, 0, 'and the first one finishes';

# ---- usage ----
($rc, $out) = $s->marquee('recs', 'train', '--threads', '0');
is $rc, 2, 'a bad --threads: exit 2';
($rc, $out) = $s->marquee('recs', 'nonsense');
is $rc, 2, 'an unknown subcommand: exit 2';
like $out, qr/usage: marquee recs train/, 'with the usage';

$s->finish;
done_testing;
