# The pool's listening socket: TCP host:port, and the socket systemd passes
# (socket activation); and a graceful stop on SIGTERM that lets the request
# in progress finish.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

{
    my $s = Marquee::Stack->start(listen => 'tcp', workers => 2);
    is $s->get('/api/genres/')->{status}, 200, 'listen = 127.0.0.1:PORT serves through nginx';
    like $s->pool_log, qr/listening on 127\.0\.0\.1:\d+ with 2 workers/, 'and says where it listens';
    $s->finish;
}

{
    my $s = Marquee::Stack->start(listen => 'systemd', workers => 2);
    is $s->get('/api/genres/')->{status}, 200, 'a socket passed with LISTEN_FDS serves through nginx';
    like $s->pool_log, qr/listening on the socket systemd passed/, 'and the pool says it took it';
    $s->stop_all;
    ok -S $s->dir . '/run/fcgi.sock', 'on stop, the socket systemd owns is left in place';
    $s->finish;
}

{
    my $s = Marquee::Stack->start(workers => 2, shutdown_timeout => '10s');
    ok -S $s->dir . '/run/fcgi.sock', 'a unix socket by default';
    my $mode = (stat $s->dir . '/run/fcgi.sock')[2] & 07777;
    is sprintf('%04o', $mode), '0660', 'with mode 0660';

    # a request held up by a lock is in progress when SIGTERM arrives, and
    # the lock goes only once the pool has begun to stop
    $s->stop_memcached;
    my $hold = $s->hold('LOCK TABLE genres IN ACCESS EXCLUSIVE MODE');
    my $client = $s->in_background(sub { $s->get('/api/genres/')->{status} });
    wait_until { $s->lock_waiters >= 1 } what => 'the request to wait on the lock';
    kill 'TERM', $s->pool_pid;
    wait_until { $s->pool_log =~ /stopping: letting requests in progress finish/ }
        what => 'the pool to begin stopping' and pass 'saying what it does';
    $hold->release;
    is_deeply [ $client->results ], [200], 'SIGTERM lets the request in progress finish with 200';
    is $s->wait_pool_exit(10), 0, 'and the pool then exits 0';
    unlike $s->pool_log, qr/shutdown_timeout reached/, 'well within shutdown_timeout';
    ok !-e $s->dir . '/run/fcgi.sock', 'removing the socket it created';
    $s->finish;
}

done_testing;
