# The configs a cluster's hosts copy (etc/cluster/, docs/deployment.md),
# filled in as bench/cluster fills them: every marker has a value, the app
# host's marquee.conf is one marquee-fcgi -t accepts with its keys as
# meant, and the PgBouncer config pools by session (the pool's prepared
# statements need it).
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use Marquee::Stack;

my $src = Marquee::Stack::srcdir();
my $build = Marquee::Stack::builddir();
my $dir = tempdir(CLEANUP => 1);
my %v = (APP_ADDR => '10.0.0.11', PUBLIC_URL => 'https://api.example.com', DB1 => '10.0.0.21',
         DB2 => '10.0.0.22', MC1 => '10.0.0.31', MC2 => '10.0.0.32', MEDIA => '10.0.0.40',
         LISTEN_ADDR => '10.0.0.21', PRIMARY => '10.0.0.21', PG_SOCKET_DIR => '/run/postgresql',
         AUTH_TYPE => 'scram-sha-256', AUTH_FILE => '/etc/pgbouncer/userlist.txt',
         LOGFILE => '/var/log/postgresql/pgbouncer.log', PIDFILE => '/run/postgresql/pgbouncer.pid',
         ADMIN_USER => 'pgbouncer');

sub fill {
    my ($file) = @_;
    my $text = Marquee::Stack::slurp("$src/etc/cluster/$file");
    my @missing;
    $text =~ s/\@([A-Z0-9_]+)\@/exists $v{$1} ? $v{$1} : do { push @missing, $1; '' }/ge;
    is_deeply \@missing, [], "etc/cluster/$file: every marker is known";
    return $text;
}

my @files = map { m{([^/]+)$} } glob "$src/etc/cluster/*";
is_deeply [ sort @files ], [qw(marquee.conf pgbouncer.ini postgresql-primary.conf postgresql-replica.conf)],
    'etc/cluster holds the app host, PgBouncer and PostgreSQL configs';
my %text = map { $_ => fill($_) } @files;

my $key = "$dir/jwt.key";
Marquee::Stack::spew($key, 'k' x 40);
Marquee::Stack::spew("$dir/marquee.conf", "[server]\nproduction = off\n[auth]\njwt_key_file = $key\n"
                                          . "common_passwords =\n" . $text{'marquee.conf'});
my $out = `$build/src/marquee-fcgi -t -c $dir/marquee.conf 2>&1`;
like $out, qr/configuration OK/, "marquee-fcgi -t accepts the app host's marquee.conf" or diag $out;
like $out, qr/^conninfo = host=10\.0\.0\.21,10\.0\.0\.22 port=6432 .*target_session_attrs=read-write$/m,
    'the primary: both database hosts, the one that takes writes';
like $out, qr/^replica_conninfo = host=10\.0\.0\.22,10\.0\.0\.21 .*target_session_attrs=prefer-standby$/m,
    'catalog reads: the standby first';
like $out, qr/^servers = 10\.0\.0\.31:11211, 10\.0\.0\.32:11211$/m, 'both memcached servers';
like $out, qr/^store = http:\/\/10\.0\.0\.40:8081\/$/m, 'the media host\'s WebDAV side';
like $out, qr/^prepare = on$/m, 'prepared statements';
like $text{'pgbouncer.ini'}, qr/^pool_mode = session$/m, 'PgBouncer pools by session';
like $text{'postgresql-primary.conf'}, qr/^synchronous_commit = remote_apply$/m,
    'a commit is acknowledged once the standby applied it';
like $text{$_}, qr/^shared_preload_libraries = 'pg_stat_statements'$/m,
    "$_: statement statistics (bench/cluster throughput reads them)"
    for qw(postgresql-primary.conf postgresql-replica.conf);

done_testing;
