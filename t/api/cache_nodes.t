# Several memcached servers (issue 21): keys are spread over them with
# ketama, and each server is judged on its own.  When one stops, every
# request is still answered, the pool says so once per worker (not once
# per request), and what the other server holds is still served from it;
# when it comes back, it is used again.  A server that is down is never
# ejected: its keys miss rather than move to the other server.
use strict;
use warnings;
use Test::More;
use IO::Socket::UNIX;
use Marquee::Stack;

my $s = Marquee::Stack->start(workers => 2, cache_nodes => 2);
my ($sock1, $sock2) = $s->memcached_sockets;
my $admin = $s->admin;
my @movies = map { $s->movie($admin, title => "Node $_", release_date => '2001-01-01') } 1 .. 40;

# curr_items of a memcached node.
sub items {
    my ($sock) = @_;
    my $c = IO::Socket::UNIX->new(Peer => $sock) or return undef;
    print {$c} "stats\r\n";
    while (my $line = <$c>) {
        return $1 if $line =~ /^STAT curr_items (\d+)/;
        last if $line =~ /^END/;
    }
    return undef;
}
sub hits { ($s->get('/metrics', unchecked => 'Prometheus text')->{content} =~ /^marquee_cache_hits_total (\d+)/m)[0] // 0 }
# Reads every movie; returns how many answers were 200 and how many of
# the lookups hit.
sub round {
    my $before = hits();
    my $ok = 0;
    $ok += $s->get("/api/movies/$_/")->{status} == 200 for @movies;
    return ($ok, hits() - $before);
}

round() for 1 .. 2;
my ($ok, $hits) = round();
is $ok, 40, 'every movie is read';
is $hits, 40, 'from the cache, once it is warm';
cmp_ok items($sock1), '>', 0, 'the first server holds some of the entries';
cmp_ok items($sock2), '>', 0, 'and the second the others';

# --- one server stops ---
my $mark = length $s->pool_log;
$s->stop_memcached(2);
($ok, $hits) = round();
is $ok, 40, 'with one server stopped, every request is still answered';
($ok, $hits) = round();
cmp_ok $hits, '>', 0, "what the other server holds is still served from it ($hits of 40 lookups hit)";
cmp_ok $hits, '<', 40, 'what the stopped one held is read from PostgreSQL';
my $log = substr($s->pool_log, $mark);
my $down = () = $log =~ /msg="cache unavailable: [^"]*\(server \Q$sock2\E\)"/g;
cmp_ok $down, '>=', 1, 'the pool says the stopped server is unavailable';
cmp_ok $down, '<=', 2, '... once per worker, not once per request';
unlike $log, qr/cache unavailable: [^"]*\Q$sock1\E/, 'and nothing of the other one';
is $s->get('/readyz')->{json}{checks}{cache}, 'down', '/readyz says a cache server is down';

# --- it comes back ---
$s->start_memcached(2);
wait_until { (round())[1] == 40 } timeout => 20, what => 'every lookup to hit again'
    and pass 'once it is back, every lookup hits again';
like substr($s->pool_log, $mark), qr/cache reachable again \(server \Q$sock2\E\)/, 'and the pool says so';

$s->finish;
done_testing;
