# Regression (issue 12, finding 7): registration says when an address is
# taken, as the contract's 201-with-the-user needs (README, "Accounts":
# why not a feigned success), so probing addresses through it is limited:
# per client address, registrations refused because a username or an
# address was taken; per address, every attempt.  Past either, 429 with
# Retry-After, whatever the fields, so the 429 itself tells nothing.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

# the defaults: 5 refusals per client address, 5 attempts per address,
# in an hour
my $s = Marquee::Stack->start;

my $n = 0;
sub register {
    my ($from, %f) = @_;
    $n++;
    my %body = (username => "user$n", email => "user$n\@example.test", password => "a fine password $n", %f);
    return $s->post('/api/users/register/', from => $from, json => \%body);
}
sub status { register(@_)->{status} }

is status('127.0.0.1', username => 'alice', email => 'alice@example.test'), 201, 'alice registers';
is_deeply [ map { status('127.0.0.30', email => "taken$_\@example.test") } 1 .. 5 ], [ (201) x 5 ],
    'five more accounts';

# ---- per client address: refusals for a taken name or address ----
my @probe = map { register('127.0.0.1', email => "Taken$_\@Example.test") } 1 .. 5;
is_deeply [ map { $_->{status} } @probe ], [ (400) x 5 ], 'five probes of a taken address: 400';
is $probe[0]{json}{errors}{email}[0], 'A user with that email already exists.', 'each saying so';
my $r = register('127.0.0.1');
is $r->{status}, 429, 'then the address is refused, even for a free username and address';
is $r->{headers}{'retry-after'}, '3600', 'for the window, in Retry-After';
like $r->{headers}{'content-type'}, qr{^application/problem\+json}, 'as a problem';
is status('127.0.0.1', email => 'alice@example.test'), 429, 'and for a taken one: the same answer';
is status('127.0.0.1', username => 'x'), 400, 'an invalid body is still answered for what it is';
is status('127.0.0.2'), 201, 'another client address registers';
is status('127.0.0.2', username => 'ALICE'), 400, 'a taken username is a refusal too';
is_deeply [ map { status('127.0.0.2', username => 'alice') } 1 .. 5 ], [ 400, 400, 400, 400, 429 ],
    'counted with the rest: the fifth refusal, then 429';

# ---- successes and invalid bodies do not count ----
is_deeply [ map { status('127.0.0.3') } 1 .. 6 ], [ (201) x 6 ], 'six registrations from one address';
is_deeply [ map { status('127.0.0.4', password => 'short') } 1 .. 6 ], [ (400) x 6 ],
    'six with a password too short';
is status('127.0.0.4'), 201, 'are not counted as refusals';

# ---- per address: every attempt ----
my @victim = map { status("127.0.0.1$_", email => 'victim@example.test') } 4 .. 9;
is_deeply \@victim, [ 201, 400, 400, 400, 400, 429 ],
    'an address tried from six client addresses: made once, refused four times, then 429';
is status('127.0.0.20', email => 'VICTIM@example.test'), 429, 'whatever its case';
is status('127.0.0.20'), 201, 'that client address registers another';

my $log = $s->pool_log;
like $log, qr/msg=security event=register_limited .*reason=address/, 'a refusal per client address is logged';
like $log, qr/msg=security event=register_limited .*reason=email/, 'one per email address too';

# ---- memcached down: no limit, and registration still works ----
$s->stop_memcached;
is_deeply [ map { status('127.0.0.1', email => 'alice@example.test') } 1 .. 2 ], [ 400, 400 ],
    'without memcached nothing is counted (the limit fails open; nginx still limits)';
is status('127.0.0.1'), 201, 'and registering works';
$s->start_memcached;
$s->finish;

# ---- the limits are configuration ----
$s = Marquee::Stack->start(extra_config => "[auth]\nregister_max_refusals = 1\n"
                                           . "register_max_per_email = 0\nregister_window = 10m\n");
is status('127.0.0.1', username => 'bob', email => 'bob@example.test'), 201, 'bob registers';
is_deeply [ map { status('127.0.0.1', username => 'bob') } 1 .. 2 ], [ 400, 429 ],
    'register_max_refusals = 1: one refusal, then 429';
is register('127.0.0.1')->{headers}{'retry-after'}, '600', 'for register_window';
is_deeply [ map { status("127.0.0.$_", email => 'bob@example.test') } 2 .. 9 ], [ (400) x 8 ],
    'register_max_per_email = 0: no limit per address';
$s->finish;
done_testing;
