# The pool's listening socket: TCP host:port, and the socket systemd passes
# (socket activation); and a graceful stop on SIGTERM that lets the request
# in progress finish.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM);
use Time::HiRes qw(time);
use Marquee::Stack;

{
    my $s = Marquee::Stack->start(listen => 'tcp', workers => 2);
    is $s->get('/api/genres/')->{status}, 200, 'listen = 127.0.0.1:PORT serves through nginx';
    like $s->pool_log, qr/listening on 127\.0\.0\.1:\d+ with 2 workers/, 'and says where it listens';
    $s->finish;
}

{
    # Type=notify: systemd waits for READY=1 (and kills a service that
    # never says it), and is told of reloads and of the stop.
    my $dir = tempdir(CLEANUP => 1);
    my $notify = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => "$dir/notify")
        or die "notify socket: $!\n";
    local $ENV{NOTIFY_SOCKET} = "$dir/notify";
    my $s = Marquee::Stack->start(listen => 'systemd', workers => 2);
    is $s->get('/api/genres/')->{status}, 200, 'a socket passed with LISTEN_FDS serves through nginx';
    like $s->pool_log, qr/listening on the socket systemd passed/, 'and the pool says it took it';
    ok notified($notify, 'READY=1'), 'the pool told systemd it is ready (NOTIFY_SOCKET)';
    $s->reload_pool;
    ok notified($notify, 'RELOADING=1') && notified($notify, 'READY=1'),
        'on SIGHUP, that it reloads, then that it is ready again';
    $s->stop_all;
    ok notified($notify, 'STOPPING=1'), 'on SIGTERM, that it stops';
    ok -S $s->dir . '/run/fcgi.sock', 'on stop, the socket systemd owns is left in place';
    $s->finish;
}

# Waits (10 s at most) for the datagram $want on $sock, skipping others
# (PostgreSQL speaks to NOTIFY_SOCKET too).
sub notified {
    my ($sock, $want) = @_;
    my $deadline = time + 10;
    while ((my $left = $deadline - time) > 0) {
        my $in = '';
        vec($in, fileno $sock, 1) = 1;
        select(my $ready = $in, undef, undef, $left) or next;
        defined $sock->recv(my $msg, 4096) or return 0;
        return 1 if $msg eq $want;
    }
    return 0;
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
