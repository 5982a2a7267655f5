# Regression (issue 12, finding 2): the failed-login limit is counted
# under the login name as PostgreSQL folds it, the folding that finds the
# account.  C's tolower() left "secalİce" (U+0130, dotted capital I) and
# "\x{212A}elvin" (U+212A, the Kelvin sign) as they were, while lower()
# in the database makes them "secalice" and "kelvin": each İ or K spelt
# so was a fresh count of guesses against the same account.
use strict;
use warnings;
use utf8;
use Test::More;
use Marquee::Stack;

binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);

my $s = Marquee::Stack->start(extra_config => "[auth]\nlogin_max_failures = 3\n");
my $alice = $s->user('secalice');
my $kelvin = $s->user('kelvin');

sub login { $s->post('/api/users/login/', json => { username => $_[0], password => $_[1] })->{status} }

# The spellings reach the accounts: the database folds them so.
is login("secal\x{130}ce", $alice->{password}), 200, 'secalİce logs in as secalice';
is login("\x{212A}elvin", $kelvin->{password}), 200, 'the Kelvin sign logs in as kelvin';
is login("SECAL\x{130}CE", $alice->{password}), 200, 'and upper case too';

# Three guesses under one spelling, then every spelling is refused.
is_deeply [ map { login('secalice', "guess $_") } 1 .. 3 ], [ (401) x 3 ], 'three wrong passwords';
for my $name ("secal\x{130}ce", "SECAL\x{130}CE", 'SecAlice') {
    is login($name, 'yet another guess'), 429, "then $name is refused as well";
}
is login("secal\x{130}ce", $alice->{password}), 429, 'the right password too, in that spelling';

is_deeply [ map { login("\x{212A}elvin", "guess $_") } 1 .. 3 ], [ (401) x 3 ],
    'three wrong passwords with the Kelvin sign';
is login('kelvin', $kelvin->{password}), 429, 'count against kelvin';
is login("\x{212A}ELVIN", 'guess 4'), 429, 'whatever the spelling';

# An unknown name with such letters is counted like any unknown name.
is_deeply [ map { login("gh\x{130}st", "guess $_") } 1 .. 4 ], [ 401, 401, 401, 429 ],
    'an unknown name: three failures, then 429';

# The account's address is still counted apart (README: a 429 for one
# never tells that the other belongs to the same account).
is $s->post('/api/users/login/', json => { email => "SECAL\x{130}CE\@example.test",
                                           password => 'guess' })->{status}, 401,
    'the address, however spelt, is counted apart from the username';
$s->finish;
done_testing;
