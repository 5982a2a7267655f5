# The tools: marquee migrate (order, idempotence, concurrent runs, changed
# files, failures, late ones), marquee-fcgi --check-config.
use strict;
use warnings;
use Test::More;
use File::Copy qw(copy);
use File::Path qw(make_path);
use Marquee::Stack;

my $s = Marquee::Stack->start(workers => 1);
my $build = Marquee::Stack::builddir();
my $src = Marquee::Stack::srcdir();
my $dir = $s->dir;

# A second database, empty, for the migrator.
$s->psql('CREATE DATABASE scratch');
my $conf = "$dir/scratch.conf";
Marquee::Stack::spew($conf, "[database]\nconninfo = host=$dir/run dbname=scratch user=postgres\n"
                          . "migrations_dir = $src/sql\n");
sub migrate { my $out = `$build/src/marquee -c $conf migrate @_ 2>&1`; return ($? >> 8, $out) }
sub scratch { my ($sql) = @_; my $o = `psql -X -qtA -h $dir/run -U postgres -d scratch -c "$sql" 2>&1`; chomp $o; $o }

my ($rc, $out) = migrate('--status');
is $rc, 0, 'migrate --status runs on an empty database';
like $out, qr/^pending\s+0001_genres\.sql$/m, 'and lists 0001 as pending';

# two hosts deploying at once: the advisory lock makes them take turns
my @pids;
for (1 .. 3) {
    my $pid = fork // die;
    if ($pid == 0) { my ($r) = migrate(); POSIX::_exit($r) }
    push @pids, $pid;
}
my @codes = map { waitpid($_, 0); $? >> 8 } @pids;
is_deeply \@codes, [0, 0, 0], 'three concurrent migrate runs all succeed';
my @versions = glob("$src/sql/*.sql");
is scratch('SELECT count(*) FROM schema_migrations'), scalar(@versions), 'each migration recorded once';
is scratch('SELECT count(*) FROM genres'), 19, 'and applied once (19 genres, not 57)';

($rc, $out) = migrate();
is $rc, 0, 'a second run succeeds';
like $out, qr/0 migrations applied/, 'and applies nothing';

# a migration dir of our own: a failing file leaves nothing behind
my $mdir = "$dir/migrations";
make_path($mdir);
copy($_, $mdir) for glob "$src/sql/*.sql";
Marquee::Stack::spew("$mdir/9000_good.sql", "CREATE TABLE t9000 (id int);\n");
Marquee::Stack::spew("$mdir/9001_bad.sql", "CREATE TABLE t9001 (id int);\nSELECT no_such_function();\n");
($rc, $out) = migrate("--dir $mdir");
isnt $rc, 0, 'a failing migration makes migrate fail';
like $out, qr/9001_bad\.sql failed; nothing of it was kept/, 'naming the file';
is scratch(q{SELECT count(*) FROM schema_migrations WHERE version = 9000}), 1, 'the good one before it stays applied';
is scratch(q{SELECT to_regclass('t9001') IS NULL}), 't', 'the bad one left no table';
is scratch(q{SELECT count(*) FROM schema_migrations WHERE version = 9001}), 0, 'and no record';

# a migration numbered below one already applied (a branch merged after
# later ones landed) is applied all the same, on its own
unlink "$mdir/9001_bad.sql";
Marquee::Stack::spew("$mdir/8999_late.sql", "CREATE TABLE t8999 (id int);\n");
($rc, $out) = migrate("--dir $mdir");
is $rc, 0, 'a late migration below the newest applied one' or diag $out;
like $out, qr/^applied 8999_late\.sql\n1 migration applied/m, 'is applied, alone';
is scratch(q{SELECT to_regclass('t8999') IS NOT NULL}), 't', 'and made its table';

# changing an applied file is refused
Marquee::Stack::spew("$mdir/9000_good.sql", "CREATE TABLE t9000 (id bigint);\n");
($rc, $out) = migrate("--dir $mdir");
isnt $rc, 0, 'an applied migration that changed is refused';
like $out, qr/9000_good\.sql changed after it was applied/, 'with the reason';

# marquee-fcgi --check-config
$out = `$build/src/marquee-fcgi -t -c $src/etc/marquee.conf 2>&1`;
is $? >> 8, 1, 'marquee-fcgi -t refuses a config without a signing key';
like $out, qr/jwt_key_file: not set; the pool needs a key of at least 32/, 'and says what to do';
Marquee::Stack::spew("$dir/short.key", "too short\n");
$out = `MARQUEE_AUTH_JWT_KEY_FILE=$dir/short.key $build/src/marquee-fcgi -t -c $src/etc/marquee.conf 2>&1`;
like $out, qr/shorter than 32 bytes/, 'or one that is too short';
$ENV{MARQUEE_AUTH_JWT_KEY_FILE} = "$dir/jwt.key";
$out = `MARQUEE_AUTH_COMMON_PASSWORDS=$dir/no-such-list.txt $build/src/marquee-fcgi -t -c $src/etc/marquee.conf 2>&1`;
is $? >> 8, 1, 'marquee-fcgi -t refuses a list of common passwords it cannot read (it would allow them all)';
like $out, qr/common_passwords: cannot read \S*no-such-list\.txt.*set it empty/, 'and says what to do';
$ENV{MARQUEE_AUTH_COMMON_PASSWORDS} = '';	# no list, on purpose
$out = `$build/src/marquee-fcgi -t -c $src/etc/marquee.conf 2>&1`;
is $? >> 8, 0, 'marquee-fcgi -t accepts etc/marquee.conf with a key';
like $out, qr/configuration OK \(\d+ routes\)/, 'and says so';
Marquee::Stack::spew("$dir/bad.conf", "[server]\nworkers = 0\n");
$out = `$build/src/marquee-fcgi -t -c $dir/bad.conf 2>&1`;
is $? >> 8, 1, 'a bad value fails the check';
like $out, qr/workers = 0/, 'naming the key';
Marquee::Stack::spew("$dir/pw", "do-not-print-me\n");
Marquee::Stack::spew("$dir/secret.conf", "[database]\npassword_file = pw\n");
$out = `$build/src/marquee-fcgi -t -c $dir/secret.conf 2>&1`;
unlike $out, qr/do-not-print-me/, 'secrets are never printed';
like $out, qr/password_file = \(secret: 15 bytes/, 'only their size and source';

$s->finish;
done_testing;
