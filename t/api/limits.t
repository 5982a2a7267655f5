# Limits around passwords: failed logins limited per login name and client
# address, and per name alone (memcached), logins limited per address
# (nginx, 429 with Retry-After), the same
# registration 1,000 times in parallel making one account, and a login for
# an unknown user taking as long as one with a wrong password, at the real
# argon2id cost.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time);
use Marquee::Stack;

sub median { my @v = sort { $a <=> $b } @_; $v[@v / 2] }

{
    my $s = Marquee::Stack->start(real_password_cost => 1,
                                  extra_config => "[auth]\nlogin_max_failures = 5\n");
    my $alice = $s->user('alice');
    $s->user('bob');
    $s->user('carol');
    my $hash = $s->psql("SELECT password_hash FROM users WHERE username = 'alice'");
    like $hash, qr/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'passwords are argon2id with m=19 MiB, t=2, p=1';

    # timing: unknown user vs known user with a wrong password
    my (@unknown, @known);
    for my $i (1 .. 6) {
        my $t = time;
        $s->post('/api/users/login/', json => { username => "ghost$i", password => 'some password or other' });
        push @unknown, time - $t;
        $t = time;
        $s->post('/api/users/login/', json => { username => 'carol', password => "wrong password $i" });
        push @known, time - $t;
    }
    my ($u, $k) = (median(@unknown), median(@known));
    cmp_ok $k, '>', 0.005, sprintf('a wrong password costs a real hash (%.1f ms)', $k * 1000);
    cmp_ok abs($u - $k) / $k, '<', 0.5,
        sprintf('an unknown user costs the same (%.1f ms vs %.1f ms)', $u * 1000, $k * 1000);
    my $long = $s->post('/api/users/login/', json => { username => 'alice', password => 'x' x 129 });
    is $long->{status}, 400, 'a password over 128 bytes is refused before hashing';

    # per-account limit: 5 failures, then 429 even with the right password
    my @codes = map {
        $s->post('/api/users/login/', json => { username => 'alice', password => "guess $_" })->{status}
    } 1 .. 5;
    is_deeply \@codes, [ (401) x 5 ], 'five wrong passwords are five 401s';
    my $r = $s->post('/api/users/login/', json => { username => 'alice', password => $alice->{password} });
    is $r->{status}, 429, 'then the account refuses logins, even the right one';
    is $r->{headers}{'retry-after'}, '900', 'for the window, said in Retry-After';
    like $r->{headers}{'content-type'}, qr{problem\+json}, 'as problem+json';
    is $s->post('/api/users/login/', json => { username => 'ALICE', password => $alice->{password} })->{status},
        429, 'in any case';
    is $s->post('/api/users/login/', json => { email => 'alice@example.test', password => 'guess 6' })->{status},
        401, 'her address is counted apart: a 429 there would tell that it is alice\'s';
    is $s->post('/api/users/login/', json => { username => 'bob', password => 'correct horse bob battery' })->{status},
        200, 'other accounts are not affected';
    $s->finish;
}

# A login from a given loopback address (nginx sees it as REMOTE_ADDR).
sub login_from {
    my ($s, $addr, %body) = @_;
    return $s->post('/api/users/login/', from => $addr, json => \%body)->{status};
}

{
    # the failure limit is per name and address, and ten times higher per name
    my $s = Marquee::Stack->start(extra_config => "[auth]\nlogin_max_failures = 3\n");
    my $dora = $s->user('dora');
    my @codes = map { login_from($s, '127.0.0.1', username => 'dora', password => "guess $_") } 1 .. 4;
    is_deeply \@codes, [ 401, 401, 401, 429 ], 'three failures from one address, then 429 there';
    is login_from($s, '127.0.0.2', username => 'dora', password => $dora->{password}), 200,
        'the owner elsewhere still logs in: one attacker cannot lock her out';
    is login_from($s, '127.0.0.1', username => 'nobody-here', password => 'guess 1'), 401,
        'unknown names are counted alike, and apart';

    my $eve = $s->user('eve');
    for my $i (2 .. 11) {
        login_from($s, "127.0.0.$i", username => 'eve', password => "guess $_") for 1 .. 3;
    }
    is login_from($s, '127.0.0.12', username => 'eve', password => $eve->{password}), 429,
        'past ten times the limit from any addresses, the name is refused everywhere';
    is login_from($s, '127.0.0.12', email => 'eve@example.test', password => $eve->{password}), 200,
        'the address of the account is counted apart';

    # parallel guesses cannot slip past the limit between check and count
    my $fay = $s->user('fay');
    my @kids;
    for my $k (1 .. 12) {
        pipe(my $rd, my $wr);
        my $pid = fork // die;
        if ($pid == 0) {
            close $rd;
            print {$wr} login_from($s, '127.0.0.1', username => 'fay', password => "parallel guess $k");
            close $wr;
            POSIX::_exit(0);
        }
        close $wr;
        push @kids, [ $pid, $rd ];
    }
    my @parallel = map { my $c = do { local $/; readline $_->[1] }; waitpid $_->[0], 0; $c } @kids;
    is scalar(grep { $_ == 401 } @parallel), 3, 'of twelve parallel guesses, three are checked (' . "@parallel" . ')';
    is scalar(grep { $_ == 429 } @parallel), 9, 'and nine refused';

    # a new password starts the counts afresh
    my $r = $s->post('/api/users/password/change/', token => $dora->{access},
                     json => { old_password => $dora->{password}, new_password => 'dora chose another one' });
    is $r->{status}, 200, 'dora changes her password';
    is login_from($s, '127.0.0.1', username => 'dora', password => 'dora chose another one'), 200,
        'after which the address that was refused logs in';

    # memcached down: the limit is off (and the API up), never an error
    $s->stop_memcached;
    @codes = map { login_from($s, '127.0.0.1', username => 'fay', password => "guess $_") } 1 .. 4;
    is_deeply \@codes, [ (401) x 4 ], 'without memcached failures are not counted (the limit fails open)';
    is login_from($s, '127.0.0.1', username => 'fay', password => $fay->{password}), 200, 'and logins work';
    $s->start_memcached;
    like $s->log_lines(qr/msg=security event=login_locked /), qr/ user=$dora->{id}\b/,
        'a refused login is logged with the user';
    like $s->log_lines(qr/msg=security event=login_failed /), qr/ user=- reason="no account"/,
        'a failure for no account too';
    $s->finish;
}

{
    # per client address, by nginx
    my $s = Marquee::Stack->start(rate_auth => '5r/m', burst_auth => 5);
    my (%codes, $limited);
    for (1 .. 14) {
        my $r = $s->post('/api/users/login/', json => { username => 'nobody', password => 'whatever it is' });
        $codes{ $r->{status} }++;
        $limited = $r if $r->{status} == 429;
    }
    ok $codes{429}, "nginx limits logins per address ($codes{429} of 14 refused)";
    is $limited->{headers}{'retry-after'}, '60', 'with Retry-After: 60';
    is $limited->{json}{status}, 429, 'as problem+json';
    is $s->get('/api/genres/')->{status}, 200, 'the rest of the API is not limited by that zone';
    $s->finish;
}

{
    # the same registration 1,000 times at once (the limits on refused
    # registrations off: t/api/register_limits.t tests them)
    my $s = Marquee::Stack->start(workers => 4, rate_auth => '1000000r/m',
                                  extra_config => "[auth]\nregister_max_refusals = 0\nregister_max_per_email = 0\n");
    my $body = { username => 'racer', email => 'racer@example.test', password => 'a race to the finish' };
    my @kids;
    for my $k (1 .. 20) {
        pipe(my $rd, my $wr);
        my $pid = fork // die;
        if ($pid == 0) {
            close $rd;
            my %c;
            $c{ $s->post('/api/users/register/', json => $body)->{status} }++ for 1 .. 50;
            print {$wr} join ' ', %c;
            close $wr;
            POSIX::_exit(0);
        }
        close $wr;
        push @kids, [ $pid, $rd ];
    }
    my %total;
    for (@kids) {
        my %c = split ' ', do { local $/; readline $_->[1] } // '';
        $total{$_} += $c{$_} for keys %c;
        waitpid $_->[0], 0;
    }
    is $total{201}, 1, 'of 1,000 identical registrations in parallel, one is created';
    is $total{400}, 999, 'and 999 are told the name is taken'
        or diag explain \%total;
    is $s->psql(q{SELECT count(*) FROM users WHERE lower(username) = 'racer'}), '1', 'one row';
    $s->finish;
}

done_testing;
