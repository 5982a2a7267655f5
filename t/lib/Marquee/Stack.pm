package Marquee::Stack;

# Boots a throwaway Marquee stack for one test file: PostgreSQL (a copy of a
# migrated "golden" cluster, then a fresh database cloned from the migrated
# template), memcached, the marquee-fcgi pool and nginx, all in a temporary
# directory, on unix sockets and one free loopback port.  When run as root,
# PostgreSQL, memcached, the pool's workers and nginx's workers run as an
# unprivileged user.
#
#   my $s = Marquee::Stack->start(workers => 4);
#   my $res = $s->get('/api/genres/');
#   is $res->{status}, 200;
#   $s->finish;     # stops everything; fails if a sanitizer complained
#
#   my $db = Marquee::Stack->start_database;   # PostgreSQL alone (t/lib/db-test)
#
# Options: workers, keepalive, nginx_workers, extra_config (appended to the
# pool's config), catalog => N (a demo catalog of N generated films, built
# once and reused), pg_options (more postgres -c settings), mail => 1 (an
# SMTP sink and the outbox job), push => 1 (Web Push on, with a fake push
# service; with mail => 1), payments => 1 (a fake payment gateway,
# t/lib/pay-fake, and `marquee payments work`), oauth => 1 (a fake identity
# provider, t/lib/idp-fake, and the providers rs, es, plain (OIDC) and
# github configured against it), start_timeout => seconds (30: how long the
# stack may take to answer; more under valgrind), api_inflight => N
# (nginx's limit on API requests in flight at once, API_INFLIGHT; 10000,
# out of the way, unless a test sets it), media_store => 1 (a media host:
# nginx/media-host.conf in an nginx of its own, the pools' [media] store
# and url; stop_media_host / start_media_host), cache_nodes => N (N
# memcached nodes, the pools' [cache] servers; stop_memcached(i) and
# start_memcached(i) for node i), replica_db => 1 (a second
# database, marquee_replica, cloned from the same template, as the
# pools' [database] replica_conninfo: a "replica" that never receives the
# primary's writes, so a test sees which one answered), pg_data => DIR (a
# PostgreSQL data directory holding the database marquee already, used in
# place of a copy of the golden cluster: bench/analytics --data), and the others
# read in start() below.
#
# Tests wait for what they expect, never for time to pass: wait_until
# (exported) polls a condition with a deadline; hold() keeps a transaction
# open until released, lock_waiters counts what waits on it; the fakes
# stall on request (mail_mode('stall'), tmdb_mode('hold')) until told.
#
# Environment: MQ_SRCDIR, MQ_BUILDDIR (set by make check; otherwise found
# from this file's location), MQ_TEST_KEEP=1 keeps the directory.
#
# Privileges, as in production (docs/deployment.md): the sockets are in
# run/, a directory only the servers' user may enter; PostgreSQL takes
# peer authentication alone, mapping that user (and root, when we are
# root) onto its roles; the pool connects as "marquee", a role that may
# only read and write rows, and `marquee migrate` and the bulk loads as
# "marquee_owner", the database's owner (no superuser).

use strict;
use warnings;

use Cwd qw(abs_path);
use Digest::SHA qw(hmac_sha256 sha1_hex);
use Encode qw(decode);
use MIME::Base64 qw(encode_base64 decode_base64);
use Exporter qw(import);
use Fcntl qw(:flock);
use File::Basename qw(basename dirname);
use File::Path qw(make_path remove_tree);
use File::Spec;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use IO::Socket::UNIX;
use JSON::PP;
use Marquee::OpenAPI;
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(sleep time);

our @EXPORT = qw(wait_until);
our @EXPORT_OK = qw(json_body);

my $JSON = JSON::PP->new->utf8->canonical;
my @STACKS;

sub srcdir {
    return $ENV{MQ_SRCDIR} if $ENV{MQ_SRCDIR};
    return abs_path(dirname(__FILE__) . '/../../..');
}

sub builddir {
    return $ENV{MQ_BUILDDIR} if $ENV{MQ_BUILDDIR};
    my $src = srcdir();
    for my $d ("$src/var/build/test", "$src/var/build/dev", $src) {
        return $d if -x "$d/src/marquee-fcgi";
    }
    die "no built marquee-fcgi found; run ./dev test (or set MQ_BUILDDIR)\n";
}

# The built documentation site (make docs-site, after npm ci), or an empty
# directory when it was not built.
sub docs_root {
    my $site = builddir() . '/docs-site';
    return reachable($site) if -f "$site/swagger.html";
    make_path(tmp_root() . '/docs-empty');
    return tmp_root() . '/docs-empty';
}

# The web app (web/dist, built by web/build when a source of it changed,
# which takes its lock: test files starting at once build it once), or an
# empty directory when it cannot be built here (no web/ in a release
# tarball, no npm).
sub web_root {
    my $src = srcdir();
    if (-x "$src/web/build") {
        system("$src/web/build") == 0 or die "web/build failed\n";
    }
    return reachable("$src/web/dist") if -f "$src/web/dist/index.html";
    make_path(tmp_root() . '/web-empty');
    return tmp_root() . '/web-empty';
}

# Where the clusters and the stacks live: $build/t/tmp, unless the user
# the servers run as cannot reach it (a checkout under a private directory,
# as root) or its path is too long for the sockets in it (a unix socket's
# path holds 107 bytes; the longest is ROOT/pg-catalog-moviesN-HASH/run/
# .s.PGSQL.5432, as in make distcheck's build), in which case t/tmp is a
# symbolic link to a directory made in /tmp.  Dies, in one line, when even
# that cannot be reached.
my $tmp_root;
sub tmp_root {
    return $tmp_root if $tmp_root;
    my $t = builddir() . '/t';
    make_path($t);
    if (!-l "$t/tmp" && length("$t/tmp") + 52 <= 107 && can_reach($t)) {
        make_path("$t/tmp");
        chmod 0755, "$t/tmp";
        return $tmp_root = "$t/tmp";
    }
    open my $lock, '>', "$t/tmp.lock" or die "$t/tmp.lock: $!\n";
    flock($lock, LOCK_EX) or die "flock: $!\n";
    my $dir = readlink "$t/tmp";
    unless ($dir && -d $dir && !-l $dir && (lstat $dir)[4] == $> && can_reach($dir)) {
        $dir = tempdir('marquee-tests-XXXXXX', DIR => File::Spec->tmpdir);
        chmod 0755, $dir;
        unlink "$t/tmp";
        remove_tree("$t/tmp");
        symlink $dir, "$t/tmp" or die "symlink $t/tmp: $!\n";
    }
    close $lock;
    can_reach($dir) or die "the API tests run their servers as " . run_user() . ", who can reach "
        . "neither $t nor $dir: make the checkout's parent directories searchable (chmod o+x)\n";
    return $tmp_root = $dir;
}

# Whether the user the servers run as can reach (search, read) a path.
sub can_reach {
    my ($path) = @_;
    return 1 unless run_user();
    return system(as_user('test', '-r', $path, '-a', '-x', $path)) == 0;
}

# $path, or when the servers cannot reach it a copy of it in tmp_root,
# made again when $path changes.
sub reachable {
    my ($path) = @_;
    return $path if can_reach($path);
    my $copy = tmp_root() . '/copies/' . substr(sha1_hex($path), 0, 8) . '-' . basename($path);
    open my $lock, '>', tmp_root() . '/copies.lock' or die "lock: $!\n";
    flock($lock, LOCK_EX) or die "flock: $!\n";
    if (!-e $copy || (stat $copy)[9] != (stat $path)[9]) {
        make_path(dirname($copy));
        remove_tree("$copy.new");
        sh('cp', '-a', $path, "$copy.new");
        remove_tree($copy);
        rename "$copy.new", $copy or die "rename $copy: $!\n";
    }
    close $lock;
    return $copy;
}

sub pg_bindir {
    my $dir = `pg_config --bindir 2>/dev/null`;
    chomp $dir;
    return $dir if $dir && -x "$dir/initdb";
    my @dirs = sort glob('/usr/lib/postgresql/*/bin');
    return $dirs[-1] if @dirs;
    die "PostgreSQL server binaries not found (apt-get install postgresql)\n";
}

# Who runs the servers: ourselves, or "nobody" when we are root (PostgreSQL
# refuses to run as root, and the rest should not need it).
sub run_user { return $> == 0 ? 'nobody' : undef }
sub run_group { return $> == 0 ? 'nogroup' : undef }

# From /, where any user may be: the current directory may be private.
sub as_user {
    my (@cmd) = @_;
    my $u = run_user();
    return $u ? ('runuser', '-u', $u, '--', 'env', '-C', '/', @cmd) : @cmd;
}

sub chown_tree {
    my ($path) = @_;
    my $u = run_user() or return;
    system('chown', '-R', "$u:" . run_group(), $path) == 0 or die "chown $path failed\n";
}

sub sh {
    my (@cmd) = @_;
    system(@cmd) == 0 or die "command failed ($?): @cmd\n";
}

# A free port below Linux's ephemeral range (32768-60999), so that no
# outgoing connection can be holding it when nginx binds it.
sub free_port {
    for (1 .. 200) {
        my $port = 20000 + int(rand(12000));
        my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
                                         Listen => 1, ReuseAddr => 1) or next;
        close $sock;
        return $port;
    }
    die "no free port\n";
}

sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or return '';
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!\n";
    print {$fh} $text;
    close $fh or die "$path: $!\n";
}

# Calls $check every 50 ms until it returns true, for up to $timeout
# seconds; returns what it last returned.
sub poll {
    my ($timeout, $check) = @_;
    my $deadline = time + $timeout;
    for (;;) {
        my $v = $check->();
        return $v if $v || time >= $deadline;
        sleep 0.05;
    }
}

# How tests wait for something to happen, never for time to pass:
#   wait_until { $s->get('/readyz')->{status} == 200 } what => '/readyz to answer 200';
# polls the block (timeout => seconds, 10 by default) and returns its
# true value; on timeout it fails a test saying what it waited for, and
# returns false.
sub wait_until(&@) {
    my ($check, %opt) = @_;
    my $timeout = $opt{timeout} // 10;
    my $v = poll($timeout, $check);
    return $v if $v;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    fail("waiting for " . ($opt{what} // 'a condition'));
    diag("timed out after ${timeout}s waiting for " . ($opt{what} // 'a condition'));
    return $v;
}

# The same for the harness, where nothing can go on without it: dies.
sub wait_for {
    my ($what, $timeout, $check) = @_;
    poll($timeout, $check) or die "timed out after ${timeout}s waiting for $what\n";
}

# The roles of the tests' databases: the owner, who migrates, and the
# pool's, who reads and writes rows (sql/0011_row_privileges.sql).
our ($OWNER, $POOL_ROLE) = ('marquee_owner', 'marquee');

# How the golden cluster is set up, beyond its migrations: a change here
# makes a new one.
my $CLUSTER_SETUP = 'peer+map, roles marquee_owner and marquee, v1';

# The OS users PostgreSQL's peer authentication lets in, each as any of
# the tests' roles: the servers' user, and root when the tests run as root
# (the harness's psql and `marquee` commands).
sub peer_users {
    return $> == 0 ? ('root', run_user()) : (scalar getpwuid($>));
}

# pg_hba.conf and pg_ident.conf of a test cluster: unix sockets only, peer
# authentication only, through the map above.  No trust.
sub write_pg_auth {
    my ($data) = @_;
    spew("$data/pg_hba.conf", "# written by Marquee::Stack: peer authentication only\n"
                              . "local all all peer map=marquee\n");
    spew("$data/pg_ident.conf", join '', map { my $u = $_;
        map { "marquee $u $_\n" } 'postgres', $OWNER, $POOL_ROLE } peer_users());
}

# The SQL, run as the superuser, that makes DB the database of the roles:
# owned by the owner, entered by the pool's role, its CREATE and
# TEMPORARY privileges the owner's alone (docs/deployment.md).
sub database_privileges_sql {
    my ($db) = @_;
    return ("ALTER DATABASE $db OWNER TO $OWNER", "REVOKE ALL ON DATABASE $db FROM PUBLIC",
            "GRANT CONNECT ON DATABASE $db TO $POOL_ROLE");
}

# A config of `marquee migrate` and the bulk loads for the cluster whose
# sockets are in RUN, on database DB.
sub migrate_config {
    my ($run, $db, $more) = @_;
    return "[database]\nconninfo = host=$run dbname=$db user=$POOL_ROLE\n"
           . "owner_conninfo = host=$run dbname=$db user=$OWNER\n"
           . "migrations_dir = " . srcdir() . "/sql\n" . ($more // '');
}

# The golden cluster: initdb'd and migrated once per set of migrations,
# shared by every test file (each copies it).  Guarded by a lock so
# parallel test files build it once.
sub golden_cluster {
    my $src = srcdir();
    my $build = builddir();
    my $bin = pg_bindir();
    my $sums = join '', map { sha1_hex(slurp($_)) } sort glob("$src/sql/*.sql");
    my $key = substr(sha1_hex($sums . $bin . $CLUSTER_SETUP . join(',', peer_users())), 0, 12);
    my $root = tmp_root();
    my $dir = "$root/pg-golden-$key";
    open my $lock, '>', "$root/golden.lock" or die "lock: $!\n";
    flock($lock, LOCK_EX) or die "flock: $!\n";
    # clusters of older migrations (and their catalogs) are of no more use
    unless (-e "$dir/READY") {
        remove_tree($_) for grep { $_ ne $dir } glob("$root/pg-golden-*");
    }
    build_golden($dir, sub {
        for my $sql ("CREATE ROLE $OWNER LOGIN", "CREATE ROLE $POOL_ROLE LOGIN",
                     'CREATE DATABASE marquee_template', database_privileges_sql('marquee_template'),
                     'REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC') {
            sh(as_user("$bin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', "$dir/run",
                       '-U', 'postgres', '-d', 'postgres', '-c', $sql));
        }
        spew("$dir/migrate.conf", migrate_config("$dir/run", 'marquee_template'));
        sh("$build/src/marquee -c $dir/migrate.conf migrate >>$dir/migrate.log 2>&1");
    }) unless -e "$dir/READY";
    close $lock;
    return "$dir/data";
}

# A cluster with a demo catalog of $n generated films loaded into its
# template.  A million take many minutes to load, so it is built once per
# version of the generator and kept; when migrations are added it is
# brought up to date with `marquee migrate`, and rebuilt only when that
# fails (a migration it has was changed).
sub catalog_cluster {
    my ($n) = @_;
    my $base = golden_cluster();
    my $root = dirname(dirname($base));
    my $gen = join '', map { slurp(srcdir() . "/$_") }
        qw(data/demo-movies.tsv src/cli/demo_film.c src/cli/demo_data.c);
    my $dir = "$root/pg-catalog-movies$n-" . substr(sha1_hex($gen), 0, 8);
    my $marquee = builddir() . '/src/marquee';
    my $conf = "$dir/migrate.conf";
    open my $lock, '>', "$root/golden.lock" or die "lock: $!\n";
    flock($lock, LOCK_EX) or die "flock: $!\n";
    # one catalog of each size is kept: they are large
    remove_tree($_) for grep { $_ ne $dir } glob("$root/pg-catalog-movies$n-*");
    # the config is written before each use: a catalog copied from another
    # build's directory (cp -a, to skip the minutes of a million films)
    # holds that one's paths, and migrate would fail and the catalog be
    # built again
    my $config = sub {
        spew($conf, migrate_config("$dir/run", 'marquee_template', "[cache]\nservers =\n"));
    };
    my $fill = sub {
        $config->();
        sh("$marquee -c $conf demo-data --movies $n --curated " . srcdir()
           . "/data/demo-movies.tsv >>$dir/demo-data.log 2>&1");
    };
    if (-e "$dir/READY") {
        my $ok = eval { build_golden($dir, sub { $config->();
                                                 sh("$marquee -c $conf migrate >>$dir/migrate.log 2>&1") },
                                     "$dir/data"); 1 };
        build_golden($dir, $fill, $base) unless $ok;
    } else {
        build_golden($dir, $fill, $base);
    }
    close $lock;
    return "$dir/data";
}

# Makes a cluster in $dir: a new one, or a copy of $from; starts it, runs
# $fill, stops it.
sub build_golden {
    my ($dir, $fill, $from) = @_;
    my $bin = pg_bindir();
    if (!$from || $from ne "$dir/data") {
        remove_tree($dir);
        make_path("$dir/run");
        sh('cp', '-a', $from, "$dir/data") if $from;
    }
    unlink "$dir/READY";
    chown_tree($dir);
    chmod 0700, "$dir/run";
    unless ($from) {
        sh(join(' ', map({ quotemeta } as_user("$bin/initdb", '-D', "$dir/data", '-U', 'postgres',
                   '--auth=peer', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync')))
           . " >$dir/initdb.log 2>&1");
        write_pg_auth("$dir/data");
    }
    sh(as_user("$bin/pg_ctl", '-s', '-D', "$dir/data", '-l', "$dir/golden.log", '-w', '-o',
               "-k $dir/run -c listen_addresses= -c fsync=off", 'start'));
    my $ok = eval { $fill->(); 1 };
    my $err = $@;
    sh(as_user("$bin/pg_ctl", '-s', '-D', "$dir/data", '-m', 'fast', '-w', 'stop'));
    die "building $dir failed: $err\n" unless $ok;
    spew("$dir/READY", "ok\n");
}

sub start {
    my ($class, %opt) = @_;
    my $self = bless {
        workers => 4, keepalive => 2, nginx_workers => 1, max_requests => 0,
        request_timeout => '30s', shutdown_timeout => '10s', pids => {}, %opt,
    }, $class;
    $self->make_dir('stack', qw(run log nginx/tmp media mail));
    spew("$self->{dir}/jwt.key", join '', map { sprintf '%02x', int rand 256 } 1 .. 32);
    chmod 0600, "$self->{dir}/jwt.key";
    chown_tree("$self->{dir}/media");
    $self->start_postgres;
    $self->start_memcached($_) for 1 .. ($self->{cache_nodes} // 1);
    if ($self->{mail}) {
        $self->{smtp_port} = free_port();
        $self->start_mail_sink;
    }
    $self->start_push if $self->{push};
    $self->start_tmdb if $self->{tmdb};
    $self->start_payments if $self->{payments};
    $self->start_idp if $self->{oauth};
    $self->start_media_host if $self->{media_store};
    $self->start_pool;
    $self->start_pool($_) for 2 .. 1 + ($self->{more_pools} // 0);
    $self->start_outbox if $self->{mail};
    $self->start_payments_work if $self->{payments};
    $self->start_nginx;
    $self->{http} = HTTP::Tiny->new(timeout => 30, keep_alive => 0, max_redirect => 0);
    wait_for('the stack to answer /healthz', $self->{start_timeout} // 30, sub {
        $self->get('/healthz', unchecked => 'polled while nginx and the pool start')->{status} == 200 });
    return $self;
}

# PostgreSQL alone, as start() would boot it: a copy of the migrated
# cluster, with a fresh database `marquee` (t/lib/db-test runs pgTAP files
# in it).  Stop it with stop_all, then cleanup.
sub start_database {
    my ($class, %opt) = @_;
    my $self = bless { pids => {}, %opt }, $class;
    $self->make_dir('db', qw(run log));
    $self->start_postgres;
    return $self;
}

# The stack's directory, PREFIX-XXXXXX under t/tmp of the build, with
# SUBDIRS in it.
sub make_dir {
    my ($self, $prefix, @subdirs) = @_;
    push @STACKS, $self;
    $self->{src} = srcdir();
    $self->{build} = builddir();
    $self->{pgbin} = pg_bindir();
    $self->{dir} = tempdir("$prefix-XXXXXX", DIR => tmp_root());
    chmod 0755, $self->{dir};
    make_path(map { "$self->{dir}/$_" } @subdirs);
}

sub dir { $_[0]{dir} }
sub port { $_[0]{port} }
sub base_url { "http://127.0.0.1:$_[0]{port}" }
sub pool_log { slurp("$_[0]{dir}/log/" . ($_[1] // 'pool') . '.log') }

# The lines of a log (the pool's, or log/NAME.log) that match $re, joined:
# what to give like() or is(), so that a failure shows those lines rather
# than the whole log.
sub log_lines {
    my ($self, $re, $name) = @_;
    return join '', grep { /$re/ } split /^/m, $self->pool_log($name);
}

# ---- PostgreSQL ----

sub start_postgres {
    my ($self) = @_;
    my $d = $self->{dir};
    if ($self->{pg_data}) {
        # a cluster kept by an earlier run (bench/analytics --save), used
        # in place: its database is there already
        symlink $self->{pg_data}, "$d/pg" or die "symlink $d/pg: $!\n";
        chown_tree("$_/") for $self->{pg_data}, "$d/run", "$d/log";
        chmod 0700, "$d/run";
        return $self->pg_ctl('start');
    }
    my $golden = $self->{catalog} ? catalog_cluster($self->{catalog}) : golden_cluster();
    sh('cp', '-a', $golden, "$d/pg");
    chown_tree("$d/pg");
    chown_tree("$d/run");
    chown_tree("$d/log");
    # the sockets' directory: the servers' user alone (root passes anyway)
    chmod 0700, "$d/run";
    $self->pg_ctl('start');
    my @replica = $self->{replica_db} ? ('CREATE DATABASE marquee_replica TEMPLATE marquee_template',
                                         database_privileges_sql('marquee_replica')) : ();
    for my $sql ('CREATE DATABASE marquee TEMPLATE marquee_template', database_privileges_sql('marquee'),
                 @replica) {
        sh(as_user("$self->{pgbin}/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', "$d/run",
                   '-U', 'postgres', '-d', 'postgres', '-c', $sql));
    }
}

sub pg_ctl {
    my ($self, $action, @extra) = @_;
    my $d = $self->{dir};
    my @cmd = ("$self->{pgbin}/pg_ctl", '-s', '-D', "$d/pg", '-l', "$d/log/postgres.log", '-w',
               @extra);
    push @cmd, '-o', "-k $d/run -c listen_addresses= -c fsync=off -c max_connections=60"
                     . ($self->{pg_options} ? " $self->{pg_options}" : '')
        if $action ne 'stop';
    system(as_user(@cmd, $action)) == 0 or die "pg_ctl $action failed\n";
}

sub stop_postgres { $_[0]->pg_ctl('stop', '-m', 'fast') }
sub start_postgres_again { $_[0]->pg_ctl('start') }

# Runs SQL as the superuser in the test database; returns psql's output.
sub psql {
    my ($self, $sql) = @_;
    return $self->psql_as('postgres', $sql);
}

# The same as ROLE (and in database db => NAME); dies when it fails.
sub psql_as {
    my ($self, $role, $sql, %opt) = @_;
    my @cmd = as_user("$self->{pgbin}/psql", '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1',
                      '-h', "$self->{dir}/run", '-U', $role, '-d', $opt{db} // 'marquee', '-c', $sql);
    open my $fh, '-|', @cmd or die "psql: $!\n";
    local $/;
    my $out = <$fh>;
    close $fh or die "psql failed: $sql\n";
    $out =~ s/\s+\z// if defined $out;
    return $out;
}

# A transaction held open in a session of its own, so that a test can
# see what waits on it rather than guess how long that takes:
#   my $h = $s->hold('LOCK TABLE genres IN ACCESS EXCLUSIVE MODE');
#   ... requests that block on it; $s->lock_waiters counts them ...
#   $h->release;                # COMMIT; or release('UPDATE ...') runs that first
# Returns once the SQL has run and the transaction waits, idle.
my $holds = 0;
sub hold {
    my ($self, $sql) = @_;
    my $app = "mq-hold-$$-" . ++$holds;
    pipe my $rd, my $wr or die "pipe: $!\n";
    my $pid = $self->spawn('hold', sub { open STDIN, '<&', $rd or die "stdin: $!" },
                           as_user("$self->{pgbin}/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
                                   "host=$self->{dir}/run dbname=marquee user=postgres "
                                   . "application_name=$app"));
    close $rd;
    $wr->autoflush(1);
    print {$wr} "BEGIN;\n$sql;\n";
    wait_for("the transaction of '$sql' to hold", 15, sub {
        die "holding '$sql' failed: " . slurp("$self->{dir}/log/hold.log")
            if waitpid($pid, WNOHANG) == $pid;
        $self->psql("SELECT state FROM pg_stat_activity WHERE application_name = '$app'")
            eq 'idle in transaction' });
    return bless { pid => $pid, wr => $wr, sql => $sql }, 'Marquee::Stack::Hold';
}

# How many sessions wait on a lock (behind a hold, say).
sub lock_waiters {
    my ($self) = @_;
    return $self->psql(q{SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'});
}

# ---- memcached ----

# start_memcached: the stack's memcached (run/memcached.sock);
# start_memcached(N): its Nth node, with cache_nodes => N (run/memcached-N.sock).
sub start_memcached {
    my ($self, $i) = @_;
    my $name = $i && $i > 1 ? "memcached-$i" : 'memcached';
    my $sock = "$self->{dir}/run/$name.sock";
    my @cmd = ('memcached', '-s', $sock, '-a', '0600', '-m', '32', '-t', '1', '-U', '0');
    push @cmd, '-u', run_user() if run_user();
    unlink $sock;
    $self->{pids}{$name} = $self->spawn($name, @cmd);
    wait_for($name, 10, sub { IO::Socket::UNIX->new(Peer => $sock) });
}

# Empties memcached (TMDb's cached answers among the rest).
sub flush_memcached { $_[0]->memcached_command("flush_all\r\n", qr/^OK/) }

# A key of the stack's memcached, as the service names it ("mq:" and
# the key): its value, or undef on a miss.
sub memcached_get {
    my ($self, $key) = @_;
    my $c = $self->memcached_connection;
    print {$c} "get mq:$key\r\n";
    my $head = <$c> // '';
    return undef unless $head =~ /^VALUE \S+ \d+ (\d+)/;
    read($c, my $value, $1) == $1 or die "memcached: short value\n";
    return $value;
}

# Stores $value under the service's key for $ttl seconds.
sub memcached_set {
    my ($self, $key, $value, $ttl) = @_;
    $self->memcached_command(sprintf("set mq:%s 0 %d %d\r\n%s\r\n", $key, $ttl // 0, length $value,
                                     $value), qr/^STORED/);
}

sub memcached_delete {
    my ($self, $key) = @_;
    $self->memcached_command("delete mq:$key\r\n", qr/^(DELETED|NOT_FOUND)/);
}

# Sends $command; dies unless the answer matches $expect.
sub memcached_command {
    my ($self, $command, $expect) = @_;
    my $c = $self->memcached_connection;
    print {$c} $command;
    my $answer = <$c> // '';
    die "memcached: $answer\n" unless $answer =~ $expect;
}

sub memcached_connection {
    my ($self) = @_;
    my $c = IO::Socket::UNIX->new(Peer => "$self->{dir}/run/memcached.sock") or die "memcached: $!\n";
    return $c;
}

sub stop_memcached {
    my ($self, $i) = @_;
    $self->stop_process($i && $i > 1 ? "memcached-$i" : 'memcached', 'TERM');
}

# The sockets of the memcached nodes (cache_nodes => N; one by default).
sub memcached_sockets {
    my ($self) = @_;
    return map { "$self->{dir}/run/" . ($_ > 1 ? "memcached-$_" : 'memcached') . '.sock' }
               1 .. ($self->{cache_nodes} // 1);
}

# ---- the pool ----

# The config of pool $i (1, or 2.. for more_pools, which listen on TCP).
sub pool_config {
    my ($self, $i) = @_;
    $i //= 1;
    my $d = $self->{dir};
    my $user = run_user() ? "user = nobody\ngroup = nogroup\nlisten_group = nogroup\n" : '';
    my $listen = $i > 1 || $self->{listen} eq 'tcp' ? "127.0.0.1:$self->{fcgi_port}{$i}"
                                                    : "$d/run/fcgi.sock";
    my $sb = $i > 1 ? "scoreboard-$i" : 'scoreboard';
    # Tests hash passwords cheaply unless they ask for the real cost.
    my $cost = $self->{real_password_cost} ? ''
             : "password_memory = 64k\npassword_iterations = 1\n";
    my $passwords = reachable("$self->{src}/data/common-passwords.txt");
    # the build's catalogs (make's locale-tree), as installed ones are laid out
    my $locale = reachable(builddir() . '/locale');
    my $smtp = $self->{smtp_port} // 1;
    my $tmdb = $self->{tmdb_port} ? <<"TMDB" : '';
[tmdb]
base_url = http://127.0.0.1:$self->{tmdb_port}/3
api_key_file = $d/tmdb.key
connect_timeout = 1s
timeout = 2s
max_response = 256k
breaker_threshold = 3
breaker_cooloff = 2s

TMDB
    my $push = $self->{push_port} ? <<"PUSH" : '';
[push]
vapid_key_file = $d/vapid.pem
subject = mailto:ops\@marquee.test
endpoint_hosts = 127.0.0.1
timeout = 2s

[notify]
batch = 5
lease = 6s

PUSH
    my $pay = $self->{pay_port} ? <<"PAY" : '';
[payments]
base_url = http://127.0.0.1:$self->{pay_port}
secret_key_file = $d/pay.key
webhook_secret_file = $d/pay-webhook.secret
connect_timeout = 1s
timeout = 2s
breaker_threshold = 1000
success_url = http://app.marquee.test/account/subscription?checkout=success

PAY
    my $oauth = $self->{idp_port} ? $self->oauth_config : '';
    my $replica = $self->{replica_db}
        ? "replica_conninfo = host=$d/run dbname=marquee_replica user=$POOL_ROLE\n" : '';
    my $store = $self->{media_write_port}
        ? "store = http://127.0.0.1:$self->{media_write_port}/\n"
          . "url = http://127.0.0.1:$self->{media_read_port}/media/\nstore_timeout = 2s\n" : '';
    return <<"CONF" . $tmdb . $push . $pay . $oauth . ($self->{extra_config} // '');
[server]
listen = $listen
${user}workers = $self->{workers}
max_requests = $self->{max_requests}
max_requests_jitter = 0
request_timeout = $self->{request_timeout}
shutdown_timeout = $self->{shutdown_timeout}
scoreboard = $d/run/$sb
production = off
localedir = $locale

[database]
conninfo = host=$d/run dbname=marquee user=$POOL_ROLE
owner_conninfo = host=$d/run dbname=marquee user=$OWNER
migrations_dir = $self->{src}/sql
$replica
[cache]
servers = @{[ join ', ', $self->memcached_sockets ]}
retry_timeout = 1s
verify = on

[auth]
jwt_key_file = $d/jwt.key
common_passwords = $passwords
${cost}
[mail]
smtp_url = smtp://127.0.0.1:$smtp
require_tls = off
retry_base = 200ms
timeout = 5s
from = Marquee Tests <no-reply\@marquee.test>
link_base = http://app.marquee.test

[media]
dir = $d/media
$store
[log]
level = info
CONF
}

# pool_wrapper => [COMMAND...] runs the pool under it (valgrind, say).
# listen => 'unix' (default), 'tcp' (127.0.0.1 and a free port) or
# 'systemd' (a unix socket opened here and passed as LISTEN_FDS, the way
# marquee-fcgi.socket does).  more_pools => N starts N more pools on TCP,
# as if on other hosts; nginx's upstream lists them all.
sub start_pool {
    my ($self, $i) = @_;
    $i //= 1;
    my $name = $i > 1 ? "pool-$i" : 'pool';
    my $conf = $i > 1 ? "$self->{dir}/marquee-$i.conf" : "$self->{dir}/marquee.conf";
    my $sock = "$self->{dir}/run/fcgi.sock";
    $self->{listen} //= 'unix';
    my $tcp = $i > 1 || $self->{listen} eq 'tcp';
    $self->{fcgi_port}{$i} = free_port() if $tcp;
    spew($conf, $self->pool_config($i));
    $self->{conf} = $conf if $i == 1;
    local $ENV{ASAN_OPTIONS} = 'detect_leaks=1:abort_on_error=0:exitcode=86';
    local $ENV{UBSAN_OPTIONS} = 'print_stacktrace=1';
    my @cmd = (@{ $self->{pool_wrapper} // [] }, "$self->{build}/src/marquee-fcgi", '-c', $conf);
    if ($i == 1 && $self->{listen} eq 'systemd') {
        my $listener = IO::Socket::UNIX->new(Local => $sock, Listen => 128)
            or die "listen $sock: $!\n";
        chmod 0666, $sock;
        $self->{pids}{$name} = $self->spawn($name, sub {
            # Through a fresh descriptor: dup2(3, 3) would keep the
            # close-on-exec flag Perl puts on sockets.
            my $fd = POSIX::dup(fileno $listener) // die "dup: $!";
            POSIX::dup2($fd, 3) // die "dup2: $!";
            POSIX::close($fd);
            $ENV{LISTEN_PID} = $$;
            $ENV{LISTEN_FDS} = 1;
        }, @cmd);
        close $listener;
    } else {
        $self->{pids}{$name} = $self->spawn($name, @cmd);
    }
    if ($tcp) {
        wait_for("the $name port", 15, sub {
            IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{fcgi_port}{$i}) });
    } else {
        wait_for('the pool socket', 15, sub { -S $sock });
    }
}

sub fcgi_servers {
    my ($self) = @_;
    my @servers = $self->{listen} eq 'tcp' ? ("127.0.0.1:$self->{fcgi_port}{1}")
                                            : ("unix:$self->{dir}/run/fcgi.sock");
    push @servers, "127.0.0.1:$self->{fcgi_port}{$_}" for 2 .. 1 + ($self->{more_pools} // 0);
    return @servers;
}

# ---- the media host: nginx/media-host.conf in an nginx of its own ----

sub start_media_host {
    my ($self) = @_;
    my $d = $self->{dir};
    my $m = "$d/media-host";
    $self->{media_write_port} //= free_port();
    $self->{media_read_port} //= free_port();
    make_path("$m/store", "$m/incoming", "$m/tmp");
    chown_tree($m);
    sh($^X, "$self->{src}/nginx/render", '--site-only', $m, "$self->{src}/nginx/media-host.conf",
       "MEDIA_READ_LISTEN=127.0.0.1:$self->{media_read_port}",
       "MEDIA_WRITE_LISTEN=127.0.0.1:$self->{media_write_port}",
       'MEDIA_WRITERS=allow 127.0.0.1; deny all;',
       "MEDIA_STORE_ROOT=$m/store", "MEDIA_INCOMING=$m/incoming");
    my $user = run_user() ? 'user nobody nogroup;' : '';
    spew("$m/nginx.conf", <<"CONF");
$user
worker_processes 1;
pid $m/nginx.pid;
error_log $d/log/media-host-error.log warn;
events { worker_connections 256; }
http {
    types { image/png png; image/jpeg jpg; image/webp webp; }
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path $m/tmp/body;
    proxy_temp_path $m/tmp/proxy;
    fastcgi_temp_path $m/tmp/fastcgi;
    uwsgi_temp_path $m/tmp/uwsgi;
    scgi_temp_path $m/tmp/scgi;
    access_log $d/log/media-host-access.log;
    include $m/media-host.conf;
}
CONF
    my @base = ('nginx', '-p', $m, '-c', "$m/nginx.conf", '-e', "$d/log/media-host-error.log");
    system(@base, '-t', '-q') == 0 or die "nginx -t (media host) failed: "
                                          . slurp("$d/log/media-host-error.log");
    $self->{pids}{'media-host'} = $self->spawn('media-host', @base, '-g', 'daemon off;');
    wait_for('the media host', 10, sub {
        IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{media_write_port}) });
}

sub stop_media_host { $_[0]->stop_process('media-host', 'QUIT') }

# The files of the media host's store, relative to it.
sub media_store_files {
    my ($self) = @_;
    my $root = "$self->{dir}/media-host/store";
    return sort map { s{^\Q$root\E/}{}r } grep { -f } glob "$root/*/*/*";
}

# ---- mail: a local SMTP sink and the outbox job ----

sub start_mail_sink {
    my ($self) = @_;
    $self->{pids}{'smtp-sink'} = $self->spawn('smtp-sink', $^X, "$self->{src}/t/lib/smtp-sink",
                                              '--port', $self->{smtp_port},
                                              '--dir', "$self->{dir}/mail");
    wait_for('the SMTP sink', 10, sub {
        IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{smtp_port}) });
}

sub stop_mail_sink { $_[0]->stop_process('smtp-sink', 'TERM') }

sub start_outbox {
    my ($self) = @_;
    local $ENV{ASAN_OPTIONS} = 'detect_leaks=1:abort_on_error=0:exitcode=86';
    $self->{pids}{outbox} = $self->spawn('outbox', "$self->{build}/src/marquee", '-c',
                                         $self->{conf}, 'outbox');
}

sub kill_outbox { $_[0]->stop_process('outbox', 'KILL') }

# Tells the sink to misbehave: mail_mode('fail' | 'reject' | 'stall' | undef).
sub mail_mode {
    my ($self, $mode) = @_;
    unlink map { "$self->{dir}/mail/$_" } qw(fail reject stall);
    spew("$self->{dir}/mail/$mode", '') if $mode;
}

# True while the sink, told to stall, holds a message it has not answered.
sub mail_stalling { -e "$_[0]{dir}/mail/stalling" }

# Every message the sink accepted: { to, subject, body, message_id, headers }.
sub mails {
    my ($self) = @_;
    my @out;
    for my $file (sort glob "$self->{dir}/mail/mail/*.eml") {
        my ($head, $body) = split /\r?\n\r?\n/, slurp($file), 2;
        my %h = map { /^([\w-]+):\s*(.*)$/ ? (lc $1 => $2) : () } split /\r?\n/, $head;
        $body =~ s/\r\n/\n/g;
        # a subject that is not ASCII comes as RFC 2047 encoded words
        my $subject = defined $h{subject} ? decode('MIME-Header', $h{subject}) : undef;
        push @out, { to => $h{to}, subject => $subject, message_id => $h{'message-id'},
                     body => $body, headers => \%h };
    }
    return @out;
}

# Waits for a message to addr and returns the newest one.
sub wait_mail {
    my ($self, $to, $timeout) = @_;
    my $found;
    wait_for("mail to $to", $timeout // 10, sub {
        ($found) = reverse grep { lc($_->{to} // '') eq lc $to } $self->mails;
        $found;
    });
    return $found;
}

# The token of the newest link mailed to addr.
sub mailed_token {
    my ($self, $to) = @_;
    my ($token) = $self->wait_mail($to)->{body} =~ /token=([A-Za-z0-9_-]+)/;
    return $token;
}

# ---- Web Push: a fake push service (t/lib/push-fake) ----

# Makes the VAPID key (the first time) and starts the fake, which knows
# its public key.
sub start_push {
    my ($self) = @_;
    require Crypt::PK::ECC;
    my $d = $self->{dir};
    make_path("$d/push");
    unless ($self->{vapid_public}) {
        my $key = Crypt::PK::ECC->new;
        $key->generate_key('secp256r1');
        spew("$d/vapid.pem", $key->export_key_pem('private'));
        chmod 0600, "$d/vapid.pem";
        $self->{vapid_public} = b64url($key->export_key_raw('public'));
        $self->{push_port} = free_port();
    }
    $self->{pids}{'push-fake'} = $self->spawn('push-fake', $^X, "$self->{src}/t/lib/push-fake",
                                              '--port', $self->{push_port}, '--dir', "$d/push",
                                              '--vapid', $self->{vapid_public});
    wait_for('the fake push service', 10, sub {
        IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{push_port}) });
}

sub stop_push { $_[0]->stop_process('push-fake', 'TERM') }
sub vapid_public { $_[0]{vapid_public} }

sub b64url { my $b = encode_base64(shift, ''); $b =~ tr{+/}{-_}; $b =~ s/=+$//; $b }

# A browser's subscription with keys of its own, which the fake decrypts
# with: { endpoint, keys => { p256dh, auth } }, as PushSubscription.toJSON().
sub push_subscription {
    my ($self, $id) = @_;
    require Crypt::PK::ECC;
    my $key = Crypt::PK::ECC->new;
    $key->generate_key('secp256r1');
    my $sub = { private => b64url($key->export_key_raw('private')),
                public => b64url($key->export_key_raw('public')),
                auth => b64url(join '', map { chr int rand 256 } 1 .. 16) };
    spew("$self->{dir}/push/subs/$id.json", $JSON->encode($sub));
    return { endpoint => "http://127.0.0.1:$self->{push_port}/push/$id",
             keys => { p256dh => $sub->{public}, auth => $sub->{auth} } };
}

# Tells the fake: push_mode('500' | '503' | 'stall' | undef); push_gone(ID)
# answers 410 for that subscription from now on.
sub push_mode {
    my ($self, $mode) = @_;
    $mode ? spew("$self->{dir}/push/mode", "$mode\n") : unlink "$self->{dir}/push/mode";
}
sub push_gone { spew("$_[0]{dir}/push/gone/$_[1]", '') }
sub push_stalling { -e "$_[0]{dir}/push/stalling" }

# Every message the fake took: { sub, payload (decoded), ttl, urgency }.
sub pushes {
    my ($self) = @_;
    my @out;
    for my $file (sort glob "$self->{dir}/push/received/*.json") {
        my $m = $JSON->decode(slurp($file));
        $m->{payload} = json_body($m->{payload}) // $m->{payload};
        push @out, $m;
    }
    return @out;
}

# What the fake refused (bad VAPID, undecryptable payloads), a line each.
sub push_errors { my $e = slurp("$_[0]{dir}/push/errors"); return $e eq '' ? () : split /\n/, $e }

# ---- a fake payment gateway (t/lib/pay-fake) ----

our $PAY_KEY = 'sk_test_marquee_0123456789abcdef';
our $PAY_SECRET = 'whsec_marquee_test_0123456789abcdef';

sub start_payments {
    my ($self) = @_;
    my $d = $self->{dir};
    make_path("$d/pay");
    spew("$d/pay.key", "$PAY_KEY\n");
    spew("$d/pay-webhook.secret", "$PAY_SECRET\n");
    $self->{pay_port} = free_port();
    $self->{pids}{'pay-fake'} = $self->spawn('pay-fake', $^X, "$self->{src}/t/lib/pay-fake",
                                             '--port', $self->{pay_port}, '--dir', "$d/pay",
                                             '--key', $PAY_KEY, '--secret', $PAY_SECRET);
    wait_for('the fake payment gateway', 10, sub {
        IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{pay_port}) });
}

# `marquee payments work`: processes the webhooks the stack takes in.
sub start_payments_work {
    my ($self) = @_;
    local $ENV{ASAN_OPTIONS} = 'detect_leaks=1:abort_on_error=0:exitcode=86';
    $self->{pids}{'payments'} = $self->spawn('payments', "$self->{build}/src/marquee", '-c',
                                             $self->{conf}, 'payments', 'work');
}

sub stop_payments_work { $_[0]->stop_process('payments', 'TERM') }

# A plan made by administrator admin (from admin()): pay_plan($admin,
# name => 'Gold', price => 999, features => [...]), monthly in EUR unless
# said; the plan (decoded), or dies.
sub pay_plan {
    my ($self, $admin, %p) = @_;
    my $r = $self->post('/api/admin/plans/', token => $admin->{access},
                        json => { interval => 'month', currency => 'EUR', %p });
    die "plan $p{name}: $r->{status} $r->{content}\n" unless $r->{status} == 201;
    return $r->{json};
}

# Tells the fake gateway how to answer: pay_mode('500' | 'slow 3' | 'lost' |
# ... [once]), or pay_mode() to answer well again.
sub pay_mode {
    my ($self, $mode) = @_;
    my $file = "$self->{dir}/pay/mode";
    $mode ? spew($file, "$mode\n") : unlink $file;
}

# Drives the fake: pay_control(METHOD, '/_fake/...', {form}) -> decoded JSON.
sub pay_control {
    my ($self, $method, $path, $form) = @_;
    my $res = HTTP::Tiny->new(timeout => 30)->request($method, "http://127.0.0.1:$self->{pay_port}$path",
        $form ? { content => HTTP::Tiny->new->www_form_urlencode($form),
                  headers => { 'Content-Type' => 'application/x-www-form-urlencoded' } } : {});
    die "pay-fake $method $path: $res->{status} $res->{content}\n" unless $res->{success};
    return decode_json($res->{content});
}

# Every event the fake made, oldest first.
sub pay_events { $_[0]->pay_control('GET', '/_fake/events') }

# The fake sends each event not yet delivered to the stack's webhook.
sub pay_deliver {
    my ($self) = @_;
    return $self->pay_control('POST', '/_fake/deliver',
                              { url => $self->base_url . '/api/payments/webhook/' });
}

# Lines of the fake's request log ("POST /v1/customers key=..."), matching $re.
sub pay_requests {
    my ($self, $re) = @_;
    my @lines = split /\n/, slurp("$self->{dir}/pay/requests");
    return $re ? grep { /$re/ } @lines : @lines;
}

# A Stripe-Signature header for body, signed at t (now) with secret (the stack's).
sub pay_signature {
    my ($self, $body, %opt) = @_;
    my $t = $opt{t} // int time;
    my $sig = Digest::SHA::hmac_sha256_hex("$t.$body", $opt{secret} // $PAY_SECRET);
    return "t=$t,v1=$sig";
}

# Posts body (raw) to the webhook, signed unless signature => '...'
# (undef: no header).
sub pay_webhook {
    my ($self, $body, %opt) = @_;
    my %h = ('Content-Type' => 'application/json; charset=utf-8');
    my $sig = exists $opt{signature} ? $opt{signature} : $self->pay_signature($body);
    $h{'Stripe-Signature'} = $sig if defined $sig;
    return $self->post('/api/payments/webhook/', body => $body, headers => \%h);
}

# ---- a fake identity provider (t/lib/idp-fake) ----

our $IDP_CLIENT = 'marquee-test-client';
our $IDP_SECRET = 'idp-client-secret-0123456789';
our $OAUTH_REDIRECT = 'https://app.marquee.test/auth/done';

sub start_idp {
    my ($self) = @_;
    my $d = $self->{dir};
    make_path("$d/idp");
    spew("$d/idp.secret", "$IDP_SECRET\n");
    $self->{idp_port} //= free_port();
    $self->{pids}{'idp-fake'} = $self->spawn('idp-fake', $^X, "$self->{src}/t/lib/idp-fake",
                                             '--port', $self->{idp_port}, '--dir', "$d/idp",
                                             '--client', $IDP_CLIENT, '--secret', $IDP_SECRET);
    wait_for('the fake identity provider', 20, sub {
        IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{idp_port}) });
}

sub stop_idp { $_[0]->stop_process('idp-fake', 'TERM') }

sub idp_url { "http://127.0.0.1:$_[0]{idp_port}" }

# [oauth] and its providers: rs and es by discovery, plain by endpoints
# given (the rs issuer's), github by GitHub's shape.
sub oauth_config {
    my ($self) = @_;
    my $d = $self->{dir};
    my $idp = $self->idp_url;
    $self->{port} //= free_port();    # nginx's, for the web app's redirect URI
    my $web = $self->base_url . '/oauth/done';
    return <<"OAUTH";
[oauth]
redirect_uris = $OAUTH_REDIRECT http://127.0.0.1:9/cb $web
connect_timeout = 1s
timeout = 3s
breaker_threshold = 3
breaker_cooloff = 2s

[oauth.rs]
client_id = $IDP_CLIENT
client_secret_file = $d/idp.secret
issuer = $idp/rs
display_name = Example ID

[oauth.es]
kind = oidc
client_id = $IDP_CLIENT
client_secret_file = $d/idp.secret
issuer = $idp/es

[oauth.plain]
client_id = $IDP_CLIENT
client_secret_file = $d/idp.secret
issuer = $idp/rs
authorization_endpoint = $idp/rs/authorize
token_endpoint = $idp/rs/token
jwks_uri = $idp/rs/jwks

[oauth.github]
kind = github
client_id = $IDP_CLIENT
client_secret_file = $d/idp.secret
authorization_endpoint = $idp/gh/login/oauth/authorize
token_endpoint = $idp/gh/login/oauth/access_token
api_url = $idp/gh/api

OAUTH
}

# The user the fake approves as (see t/lib/idp-fake).
sub idp_user { spew("$_[0]{dir}/idp/user.json", $JSON->encode($_[1])) }

# idp_mode('badsig' | 'down' | ... [once]), or idp_mode() to behave.
sub idp_mode {
    my ($self, $mode) = @_;
    $mode ? spew("$self->{dir}/idp/mode", "$mode\n") : unlink "$self->{dir}/idp/mode";
}

# A new signing key for issuer (rs or es); its kid.
sub idp_rotate {
    my ($self, $issuer) = @_;
    my $res = HTTP::Tiny->new(timeout => 60)->post_form($self->idp_url . '/_fake/rotate', { issuer => $issuer });
    die "idp-fake rotate: $res->{status} $res->{content}\n" unless $res->{success};
    return decode_json($res->{content})->{kid};
}

# The fake's requests ("GET /rs/jwks"), those matching $re when given.
sub idp_requests {
    my ($self, $re) = @_;
    my @lines = split /\n/, slurp("$self->{dir}/idp/requests") // '';
    return $re ? grep { /$re/ } @lines : @lines;
}

# A browser through a sign-in: start (with redirect_uri and state, unless
# given), the provider (which approves or not), our callback.  Returns {
# start, authorize, callback } (the responses; authorize's is the fake's),
# and, when the callback sent the browser to the client, code and state
# (from its Location).
sub oauth_browse {
    my ($self, $provider, %opt) = @_;
    my %q = (redirect_uri => $opt{redirect_uri} // $OAUTH_REDIRECT, state => $opt{state} // 'client-state-1');
    delete $q{state} if exists $opt{state} && !defined $opt{state};
    my $qs = join '&', map { "$_=" . uri_escape($q{$_}) } sort keys %q;
    my %out = (start => $self->get("/api/auth/oauth/$provider/start/?$qs"));
    my $to = $out{start}{headers}{location} // return \%out;
    return \%out unless $out{start}{status} == 302;
    $out{authorize} = HTTP::Tiny->new(timeout => 30, max_redirect => 0)->get($to);
    my $back = $out{authorize}{headers}{location} // return \%out;
    (my $path = $back) =~ s{^https?://[^/]+}{};
    $opt{tamper}->(\$path) if $opt{tamper};
    $out{callback_path} = $path;
    $out{callback} = $self->get($path);
    my $loc = $out{callback}{headers}{location} // '';
    $out{location} = $loc;
    ($out{code}) = $loc =~ /[?&]code=([^&]+)/;
    ($out{state}) = $loc =~ /[?&]state=([^&]+)/;
    ($out{error}) = $loc =~ /[?&]error=([^&]+)/;
    $out{state} =~ s/%([0-9A-F]{2})/chr hex $1/ge if defined $out{state};
    return \%out;
}

# The whole sign-in: browse, then the code exchanged.  The exchange's
# response (with {json}{access} ...), or undef when no code came back.
sub oauth_login {
    my ($self, $provider, %opt) = @_;
    my $b = $self->oauth_browse($provider, %opt);
    return undef unless $b->{code};
    return $self->post('/api/auth/oauth/exchange/', json => { code => $b->{code} });
}

sub uri_escape { my ($s) = @_; $s =~ s/([^A-Za-z0-9\-._~])/sprintf '%%%02X', ord $1/ge; $s }

# ---- a fake TMDb (t/lib/tmdb-fake) ----

sub start_tmdb {
    my ($self) = @_;
    my $d = $self->{dir};
    make_path("$d/tmdb");
    spew("$d/tmdb.key", "test-tmdb-key-0123456789\n");
    $self->{tmdb_port} = free_port();
    $self->{pids}{'tmdb-fake'} = $self->spawn('tmdb-fake', $^X, "$self->{src}/t/lib/tmdb-fake",
                                              '--port', $self->{tmdb_port}, '--dir', "$d/tmdb",
                                              '--fixtures', "$self->{src}/t/fixtures/tmdb",
                                              '--key', 'test-tmdb-key-0123456789');
    wait_for('the fake TMDb', 10, sub {
        IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{tmdb_port}) });
    unlink "$d/tmdb/requests";
}

# Tells the fake how to answer: tmdb_mode('500' | 'slow 3' | '429 2' | ...),
# or tmdb_mode() to answer well again (see t/lib/tmdb-fake).
sub tmdb_mode {
    my ($self, $mode) = @_;
    my $file = "$self->{dir}/tmdb/mode";
    $mode ? spew($file, "$mode\n") : unlink $file;
}

# A movie the fake TMDb has besides its fixtures (in none of its lists):
# tmdb_movie(ID, JSON text).
sub tmdb_movie {
    my ($self, $id, $json) = @_;
    make_path("$self->{dir}/tmdb/movies");
    spew("$self->{dir}/tmdb/movies/movie-$id.json", $json);
}

# A document the fake serves in place of its fixture, or besides them:
# tmdb_doc('providers-550.json', JSON text) (see t/lib/tmdb-fake).
sub tmdb_doc {
    my ($self, $name, $json) = @_;
    make_path("$self->{dir}/tmdb/movies");
    spew("$self->{dir}/tmdb/movies/$name", $json);
}

# What the fake answers in tmdb_mode('raw'), byte for byte.
sub tmdb_raw {
    my ($self, $body) = @_;
    spew("$self->{dir}/tmdb/raw", $body);
}

# The requests the fake TMDb received ("GET /3/movie/550?language=en-US"),
# those matching $re when given.
sub tmdb_requests {
    my ($self, $re) = @_;
    my @lines = split /\n/, slurp("$self->{dir}/tmdb/requests");
    return $re ? grep { /$re/ } @lines : @lines;
}

# ---- accounts ----

# Registers and logs in a user; returns { id, username, email, password,
# access, refresh }.
sub user {
    my ($self, $name, %opt) = @_;
    my $password = $opt{password} // "correct horse $name battery";
    my $email = $opt{email} // "$name\@example.test";
    my $r = $self->post('/api/users/register/',
                        json => { username => $name, email => $email, password => $password });
    die "registering $name: $r->{status} $r->{content}\n" unless $r->{status} == 201;
    my $l = $self->post('/api/users/login/', json => { username => $name, password => $password });
    die "logging in $name: $l->{status} $l->{content}\n" unless $l->{status} == 200;
    return { id => $r->{json}{id}, username => $name, email => $email, password => $password,
             access => $l->{json}{access}, refresh => $l->{json}{refresh} };
}

# An administrator, made with `marquee user create-admin`, logged in.
sub admin {
    my ($self, $name) = @_;
    $name //= 'root';
    my $pwfile = "$self->{dir}/$name.pw";
    spew($pwfile, "admin password of $name\n");
    my ($rc, $out) = $self->marquee('user', 'create-admin', '--username', $name,
                                    '--email', "$name\@example.test", '--password-file', $pwfile);
    die "create-admin: $out" if $rc;
    my $l = $self->post('/api/users/login/',
                        json => { username => $name, password => "admin password of $name" });
    die "logging in $name: $l->{content}\n" unless $l->{status} == 200;
    my ($id) = $out =~ /\(id (\d+)\)/;
    return { id => $id, username => $name, access => $l->{json}{access},
             refresh => $l->{json}{refresh} };
}

# An access token of user (from user()) made here with the stack's key,
# expiring expires_in seconds from now (negative: already expired), in
# the session of the user's access token (its sid); claims (a hash) adds
# or replaces claims, undef removing one.
sub forged_token {
    my ($self, $user, $expires_in, $claims) = @_;
    my $b64 = sub { my $b = encode_base64(shift, ''); $b =~ tr{+/}{-_}; $b =~ s/=+$//; $b };
    my $payload = (split /\./, $user->{access} // '')[1] // '';
    $payload =~ tr{-_}{+/};
    my $sid = eval { decode_json(decode_base64($payload . '=' x ((4 - length($payload) % 4) % 4)))->{sid} };
    my $now = int time;
    my %c = (typ => 'access', sub => "$user->{id}", role => 'user', iat => $now - 3600,
             exp => $now + $expires_in, jti => 'forged', ver => 1, sid => $sid, %{ $claims // {} });
    defined $c{$_} or delete $c{$_} for keys %c;
    my $data = $b64->(encode_json({ alg => 'HS256', typ => 'JWT' })) . '.' . $b64->(encode_json(\%c));
    return "$data." . $b64->(hmac_sha256($data, slurp("$self->{dir}/jwt.key")));
}

# The same, expired ten seconds ago: what a client holds after 15 idle
# minutes.
sub expired_token { $_[0]->forged_token($_[1], -10) }

# Makes a movie as an administrator (from admin()); returns its id.
sub movie {
    my ($self, $admin, %fields) = @_;
    my $r = $self->post('/api/movies/', token => $admin->{access}, json => \%fields);
    die "making a movie: $r->{status} $r->{content}\n" unless $r->{status} == 201;
    return $r->{json}{id};
}

# Rewrites the config (e.g. with other workers), sends SIGHUP and waits
# until the master has acted on it.  Returns true once the workers of the
# new generation are all serving and the old ones gone; false when the
# master refused the config (it says so in its log and keeps running).
sub reload_pool {
    my ($self, %change) = @_;
    my $gen = $self->scoreboard->{generation} + 1;
    my $mark = length $self->pool_log;
    @$self{keys %change} = values %change;
    spew($self->{conf}, $self->pool_config);
    kill 'HUP', $self->{pids}{pool};
    my $said;
    wait_for('the master to act on SIGHUP', 20, sub {
        ($said) = substr($self->pool_log, $mark) =~ /(reloaded .*: generation \d+|reload failed)/;
        $said });
    return 0 if $said eq 'reload failed';
    die "SIGHUP: expected generation $gen, the master says \"$said\"\n" unless $said =~ / $gen$/;
    wait_for("the $self->{workers} workers of generation $gen", 20, sub {
        my @w = @{ $self->scoreboard->{workers} };
        @w == $self->{workers} && !grep { $_->{gen} != $gen || $_->{state} !~ /^(idle|busy)$/ } @w });
    return 1;
}

# The pool's scoreboard, as `marquee status` prints it: { generation,
# workers => [ { slot, pid, gen, state } ] } of the live workers.
sub scoreboard {
    my ($self) = @_;
    my ($rc, $out) = $self->marquee('status');
    die "marquee status: $out" if $rc;
    my ($gen) = $out =~ /^master pid \d+, .*generation (\d+)$/m or die "marquee status: $out";
    my @workers;
    while ($out =~ /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\w+)\s/mg) {
        push @workers, { slot => $1, pid => $2, gen => $3, state => $4 };
    }
    return { generation => $gen, workers => \@workers };
}

sub pool_pid { $_[0]{pids}{pool} }

# How many connections to the pool's unix socket are open: accepted by a
# worker and not yet closed (/proc/net/unix, state 03, the socket's path).
sub fcgi_connections {
    my ($self) = @_;
    my $sock = "$self->{dir}/run/fcgi.sock";
    return scalar grep { my @f = split ' '; @f == 8 && $f[5] eq '03' && $f[7] eq $sock }
        split /\n/, slurp('/proc/net/unix');
}

# Pids of the pool's workers, from the process table.
sub worker_pids {
    my ($self) = @_;
    my $master = $self->{pids}{pool};
    my @pids;
    for my $stat (glob '/proc/[0-9]*/stat') {
        my $s = slurp($stat) or next;
        my ($pid, $ppid) = $s =~ /^(\d+) \(.*\) \S (\d+)/ or next;
        push @pids, $pid if $ppid == $master;
    }
    return @pids;
}

# Loads the demo catalog: the curated films and $n generated ones.
sub demo_catalog {
    my ($self, $n, @more) = @_;
    my ($rc, $out) = $self->marquee('demo-data', '--movies', $n,
                                    '--curated', "$self->{src}/data/demo-movies.tsv", @more);
    die "demo-data: $out" if $rc;
    return $out;
}

# Runs the admin tool against this stack; returns (exit status, output).
sub marquee {
    my ($self, @args) = @_;
    my $cmd = join ' ', map { quotemeta } "$self->{build}/src/marquee", '-c', $self->{conf}, @args;
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
}

# ---- nginx ----

sub start_nginx {
    my ($self) = @_;
    my $d = $self->{dir};
    my $n = "$d/nginx";
    $self->{port} //= free_port();    # chosen earlier when the config names it
    my @servers = $self->fcgi_servers;
    make_path("$d/media", "$d/docs");
    sh($^X, "$self->{src}/nginx/render", $n, "$self->{src}/nginx/dev.conf",
       'FCGI_SERVERS=' . join("\n    ", map { "server $_;" } @servers),
       "FCGI_LOCAL=$servers[0]",
       'FCGI_KEEP_CONN=' . ($self->{keep_conn} // 1 ? 'on' : 'off'),
       'FCGI_LOCAL_KEEP_CONN=' . ($self->{local_keep_conn} ? 'on' : 'off'),
       "FCGI_KEEPALIVE=$self->{keepalive}",
       "MEDIA_ROOT=$d/media",
       'DOCS_ROOT=' . ($self->{docs_root} // docs_root()),
       'WEB_ROOT=' . ($self->{web_root} // web_root()),
       'RATE_AUTH=' . ($self->{rate_auth} // '100000r/m'),
       'RATE_API=' . ($self->{rate_api} // '100000r/s'),
       'BURST_API=' . ($self->{burst_api} // 1000),
       'BURST_AUTH=' . ($self->{burst_auth} // 1000),
       'API_INFLIGHT=' . ($self->{api_inflight} // 10000),
       'RATE_WEBHOOK=' . ($self->{rate_webhook} // '100000r/s'),
       'BURST_WEBHOOK=' . ($self->{burst_webhook} // 1000),
       "NGINX_PREFIX=$n",
       'NGINX_USER=' . (run_user() ? 'user nobody nogroup;' : ''),
       "NGINX_WORKERS=$self->{nginx_workers}",
       "NGINX_ACCESS_LOG=$d/log/nginx-access.log marquee",
       "LISTEN=127.0.0.1:$self->{port}");
    make_path("$n/tmp");
    chown_tree("$n/tmp");
    my @base = ('nginx', '-p', $n, '-c', "$n/dev.conf", '-e', "$d/log/nginx-error.log");
    system(@base, '-t', '-q') == 0 or die "nginx -t failed: " . slurp("$d/log/nginx-error.log");
    $self->{pids}{nginx} = $self->spawn('nginx', @base, '-g', 'daemon off;');
    wait_for('nginx', 10, sub {
        IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{port}) });
}

# ---- processes ----

# spawn(NAME, [CODE,] COMMAND...): runs COMMAND in its own process group
# with output to log/NAME.log; CODE, if given, runs in the child first.
sub spawn {
    my ($self, $name, @cmd) = @_;
    my $log = "$self->{dir}/log/$name.log";
    my $pid = fork // die "fork: $!\n";
    if ($pid == 0) {
        my $pre = ref $cmd[0] eq 'CODE' ? shift @cmd : undef;
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $log or die "$log: $!";
        open STDERR, '>&', \*STDOUT;
        setpgrp(0, 0);
        $pre->() if $pre;
        exec @cmd or die "exec $cmd[0]: $!";
    }
    return $pid;
}

sub stop_process {
    my ($self, $name, $signal, $timeout) = @_;
    my $pid = delete $self->{pids}{$name} or return;
    kill $signal // 'TERM', $pid;
    return $? if poll($timeout // 15, sub { waitpid($pid, WNOHANG) == $pid });
    kill 'KILL', -$pid;
    kill 'KILL', $pid;
    waitpid($pid, 0);
    return $?;
}

# Waits for the pool's master to exit (after a signal sent by the test);
# returns and records its wait status.
sub wait_pool_exit {
    my ($self, $timeout) = @_;
    my $pid = $self->{pids}{pool} or return $self->{pool_exit};
    poll($timeout // 30, sub { waitpid($pid, WNOHANG) == $pid }) or return undef;
    delete $self->{pids}{pool};
    return $self->{pool_exit} = $?;
}

sub stop_all {
    my ($self) = @_;
    return if $self->{stopped}++;
    $self->stop_process($_, 'QUIT') for 'nginx', 'media-host';
    $self->stop_process($_, 'TERM', 30)
        for grep { /^(pool-|outbox|payments|smtp-sink|tmdb-fake|push-fake|pay-fake|idp-fake)/ } keys %{ $self->{pids} };
    if ($self->{pids}{pool}) {
        $self->{pool_exit} = $self->stop_process('pool', 'TERM', 30);
    }
    $self->stop_process($_, 'TERM') for grep { /^memcached/ } keys %{ $self->{pids} };
    eval { $self->pg_ctl('stop', '-m', 'immediate') } if -e "$self->{dir}/pg/postmaster.pid";
}

# Stops the stack and checks it left cleanly: the pool exited 0 on SIGTERM
# and no sanitizer reported anything in its log.
sub finish {
    my ($self) = @_;
    Marquee::OpenAPI::collect();
    $self->stop_all;
    is($self->{pool_exit}, 0, 'the pool exits 0 on SIGTERM');
    my $log = join '', map { slurp($_) } glob "$self->{dir}/log/{pool*,outbox,payments}.log";
    my @reports = $log =~ /^(.*(?:AddressSanitizer|LeakSanitizer|runtime error:).*)$/mg;
    ok(!@reports, 'no sanitizer reports in the pool log')
        or diag(join "\n", @reports[0 .. ($#reports < 5 ? $#reports : 5)]);
    # glibc prints a NULL %s argument as "(null)"; UBSan says nothing
    my @nulls = $log =~ /^(.*\(null\).*)$/mg;
    ok(!@nulls, 'no "(null)" in the pool log: no NULL was printed with %s')
        or diag(join "\n", @nulls[0 .. ($#nulls < 5 ? $#nulls : 5)]);
    # [cache] verify: a cache hit that PostgreSQL no longer agrees with is
    # a write that forgot to make it stale (catalog/changes.h); a kept
    # movie document that a rendering no longer agrees with is a change
    # its version or stamp missed (catalog/movie_document.h)
    my @stale = $log =~ /^(.*msg="stale (?:cached response|movie document)".*)$/mg;
    ok(!@stale, 'no stale cached response or movie document was found')
        or diag(join "\n", @stale[0 .. ($#stale < 5 ? $#stale : 5)]);
    $self->cleanup;
}

sub cleanup {
    my ($self) = @_;
    if ($ENV{MQ_TEST_KEEP} || !Test::More->builder->is_passing) {
        diag("stack kept in $self->{dir}");
        return;
    }
    remove_tree($self->{dir});
}

END {
    for my $s (@STACKS) {
        my $keep = $?;
        $s->stop_all;
        $? = $keep;
    }
}

# ---- HTTP ----

# request(METHOD, PATH, json => $data | body => $raw, headers => {...},
#         token => $access, from => '127.0.0.2' (the client's address))
# Returns { status, headers, content, json (decoded when it parses) }.
# Every answer is checked against docs/openapi.yaml (Marquee::OpenAPI): a
# mismatch fails the test.  unchecked => 'why' skips that, for an answer
# no client of the document can meet.
sub request {
    my ($self, $method, $path, %opt) = @_;
    my %headers = %{ $opt{headers} // {} };
    my $body = $opt{body};
    if (exists $opt{json}) {
        $body = $JSON->encode($opt{json});
        $headers{'Content-Type'} //= 'application/json';
    }
    $headers{Authorization} = "Bearer $opt{token}" if $opt{token};
    my %args = (headers => \%headers);
    $args{content} = $body if defined $body;
    my $http = $opt{from} ? HTTP::Tiny->new(timeout => 30, keep_alive => 0, max_redirect => 0,
                                            local_address => $opt{from})
                          : $self->{http};
    my $res = $http->request($method, $self->base_url . $path, \%args);
    $res->{json} = json_body($res->{content});
    Marquee::OpenAPI::enforce($method, $path, $res, unchecked => $opt{unchecked});
    return $res;
}

sub get { my ($self, $path, %o) = @_; $self->request('GET', $path, %o) }
sub post { my ($self, $path, %o) = @_; $self->request('POST', $path, %o) }
sub put { my ($self, $path, %o) = @_; $self->request('PUT', $path, %o) }
sub patch { my ($self, $path, %o) = @_; $self->request('PATCH', $path, %o) }
sub delete { my ($self, $path, %o) = @_; $self->request('DELETE', $path, %o) }

# How many movies' rating statistics (movie_stats' count and sum) differ
# from a recount of their ratings: 0 when exact.  With listed => 1, the
# average the lists order on (movies.rating, brought up to date by
# `marquee ratings refresh`) is counted too.
sub stale_rating_stats {
    my ($self, %o) = @_;
    my $listed = $o{listed}
        ? 'OR m.rating IS DISTINCT FROM movie_rating(coalesce(r.n, 0)::integer, r.total)' : '';
    return $self->psql("SELECT count(*) FROM movies m LEFT JOIN movie_stats s ON s.movie_id = m.id
        LEFT JOIN (SELECT movie_id, count(*) AS n, sum(rating) AS total FROM ratings
                   GROUP BY movie_id) r ON r.movie_id = m.id
        WHERE s.movie_id IS NULL
           OR s.ratings_count <> coalesce(r.n, 0) OR s.ratings_sum <> coalesce(r.total, 0) $listed");
}

# How many rows of movie_counts differ from a recount: 0 when the kept
# counts are exact.  (Provisional movies are in no count.)
sub stale_movie_counts {
    my ($self) = @_;
    return $self->psql(q{WITH p AS (SELECT * FROM movies WHERE provisional_by IS NULL)
        SELECT count(*) FROM movie_counts c WHERE n <> CASE dimension
        WHEN 'all' THEN (SELECT count(*) FROM p)
        WHEN 'year' THEN (SELECT count(*) FROM p WHERE year::text = c.value)
        WHEN 'language' THEN (SELECT count(*) FROM p WHERE original_language = c.value)
        WHEN 'genre' THEN (SELECT count(*) FROM movie_genres g JOIN p ON p.id = g.movie_id
                           WHERE g.genre_id::text = c.value) END});
}

# Runs each sub in its own process at once and returns what each returned
# (a list of statuses, say), in order. Children leave with _exit so that the
# stack's destructor runs only in the test itself.
sub in_parallel {
    my ($self, @jobs) = @_;
    return $self->in_background(@jobs)->results;
}

# The same, without waiting: ->results waits and returns what they returned.
sub in_background {
    my ($self, @jobs) = @_;
    my @kids;
    for my $job (@jobs) {
        pipe my $rd, my $wr or die "pipe: $!\n";
        my $pid = fork // die "fork: $!\n";
        if ($pid == 0) {
            close $rd;
            print {$wr} join(',', $job->());
            close $wr;
            POSIX::_exit(0);
        }
        close $wr;
        push @kids, [ $pid, $rd ];
    }
    return bless { kids => \@kids }, 'Marquee::Stack::Background';
}

# Requests path over and over from $clients processes until stopped:
#   my $load = $s->background_load('/api/genres/', clients => 2);
#   $load->wait_requests(20);       # until 20 more have been answered
#   ...; my $tally = $load->stop;   # { total => N, failed => N, by_status => {...} }
# Its answers are not checked against docs/openapi.yaml: it only tallies
# statuses, as fast as it can, and the test checks the same path itself.
sub background_load {
    my ($self, $path, %opt) = @_;
    my $clients = $opt{clients} // 2;
    my $dir = tempdir('load-XXXXXX', DIR => $self->{dir});
    my @pids;
    my $parent = $$;
    for my $i (1 .. $clients) {
        my $pid = fork // die "fork: $!\n";
        if ($pid == 0) {
            my $http = HTTP::Tiny->new(timeout => 30, keep_alive => 1);
            my %by;
            my $n = 0;
            # until stopped, or the test died without stopping it
            until (-e "$dir/stop" || getppid() != $parent) {
                my $res = $http->get($self->base_url . $path);
                $by{ $res->{status} }++;
                spew("$dir/count.$i", ++$n);
            }
            spew("$dir/tally.$i", join '', map { "$_ $by{$_}\n" } keys %by);
            POSIX::_exit(0);
        }
        push @pids, $pid;
    }
    return bless { dir => $dir, pids => \@pids }, 'Marquee::Stack::Load';
}

package Marquee::Stack::Background;

sub results {
    my ($self) = @_;
    my @out;
    for (@{ $self->{kids} }) {
        my $line = do { local $/; readline $_->[1] } // '';
        push @out, split /,/, $line;
        waitpid $_->[0], 0;
    }
    Marquee::OpenAPI::collect();    # what the children's answers broke
    return @out;
}

package Marquee::Stack::Hold;

sub release {
    my ($self, $sql) = @_;
    my $wr = delete $self->{wr} or return;
    print {$wr} "$sql;\n" if $sql;
    print {$wr} "COMMIT;\n\\q\n";
    close $wr;
    waitpid $self->{pid}, 0;
    die "the transaction of '$self->{sql}' failed to commit ($?)\n" if $?;
}

package Marquee::Stack::Load;

# How many requests the clients have had answered so far.
sub requests {
    my ($self) = @_;
    my $n = 0;
    $n += Marquee::Stack::slurp($_) || 0 for glob "$self->{dir}/count.*";
    return $n;
}

sub wait_requests {
    my ($self, $more) = @_;
    my $want = $self->requests + $more;
    Marquee::Stack::wait_for("$more more requests of the load", 30, sub { $self->requests >= $want });
}

sub stop {
    my ($self) = @_;
    Marquee::Stack::spew("$self->{dir}/stop", '');
    waitpid($_, 0) for @{ $self->{pids} };
    my %t = (total => 0, failed => 0, by_status => {});
    for my $f (glob "$self->{dir}/tally.*") {
        for my $line (split /\n/, Marquee::Stack::slurp($f)) {
            my ($status, $n) = split ' ', $line;
            $t{by_status}{$status} += $n;
            $t{total} += $n;
            $t{failed} += $n if $status != 200;
        }
    }
    return \%t;
}

package Marquee::Stack;

sub json_body {
    my ($text) = @_;
    return undef unless defined $text && length $text;
    my $v = eval { $JSON->decode($text) };
    return $v;
}

# A raw request over a socket, for what HTTP::Tiny will not send
# (malformed request lines, lying headers).  The request must make the
# server close the connection (an error, or Connection: close).  Returns
# the status code, and in list context the whole answer too.  The answer
# is checked against docs/openapi.yaml like request()'s.
sub raw_request {
    my ($self, $bytes) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{port},
                                     Timeout => 10) or die "connect: $!\n";
    print {$sock} $bytes;
    local $/;
    my $answer = <$sock> // '';
    close $sock;
    my ($status) = $answer =~ m{^HTTP/1\.[01] (\d{3})};
    my ($method, $path) = $bytes =~ m{^(\S+) (\S+)};
    my ($head, $body) = split /\r\n\r\n/, $answer, 2;
    my %h;
    for (split /\r\n/, $head // '') {
        my ($k, $v) = /^([\w-]+):\s*(.*)$/ or next;
        $h{ lc $k } = exists $h{ lc $k } ? [ (ref $h{ lc $k } ? @{ $h{ lc $k } } : $h{ lc $k }), $v ] : $v;
    }
    Marquee::OpenAPI::enforce($method // '?', $path // '/', { status => $status // 0, headers => \%h,
                                                             content => $body // '' })
        if ($h{'transfer-encoding'} // '') ne 'chunked';    # nginx's own errors have a length
    return wantarray ? ($status // 0, $answer) : ($status // 0);
}

1;
