# The systemd units: systemd-analyze verify is clean, and the pool and the
# migration unit rate 2.0 or lower in systemd-analyze security, with the
# shared hardening drop-in applied.
use strict;
use warnings;
use Test::More;
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Marquee::Stack;

plan skip_all => 'systemd-analyze is not installed'
    unless grep { -x "$_/systemd-analyze" } split /:/, $ENV{PATH};
my $src = Marquee::Stack::srcdir();
my $build = Marquee::Stack::builddir();
my $dir = tempdir(CLEANUP => 1);
make_path("$dir/units/marquee-.service.d", "$dir/man/man5", "$dir/man/man8");

# Every unit the tree ships, rendered like make install does, but
# pointing at the built programs.
my @units = map { m{([^/]+)\.in$} } glob("$src/systemd/marquee-*.in");
for my $unit (@units) {
    my $text = Marquee::Stack::slurp("$src/systemd/$unit.in");
    $text =~ s/\@s?bindir\@/$build\/src/g;
    $text =~ s/\@sysconfdir\@/\/etc/g;
    Marquee::Stack::spew("$dir/units/$unit", $text);
}
system('cp', "$src/systemd/marquee-.service.d/hardening.conf", "$dir/units/marquee-.service.d/");
system("cp $src/docs/man/*.8 $dir/man/man8/ && cp $src/docs/man/*.5 $dir/man/man5/");
local $ENV{SYSTEMD_UNIT_PATH} = "$dir/units:";
local $ENV{MANPATH} = "$dir/man:";

my $out = `systemd-analyze verify @units 2>&1`;
is $?, 0, 'systemd-analyze verify exits 0';
is $out, '', 'and says nothing' or diag $out;

for my $unit (grep { /\.service$/ } @units) {
    $out = `systemd-analyze security --offline=true --threshold=20 $unit 2>&1`;
    my ($level) = $out =~ /Overall exposure level for \Q$unit\E: ([\d.]+)/;
    ok defined $level, "$unit has an exposure level" or diag $out;
    cmp_ok $level // 99, '<=', 2.0, "$unit exposure is 2.0 or lower ($level)";
}
like Marquee::Stack::slurp("$dir/units/marquee-fcgi.service"),
    qr/^Type=notify$/m, 'the pool reports readiness (Type=notify)';
like Marquee::Stack::slurp("$dir/units/marquee-fcgi.service"), qr/^ExecReload=.*-HUP \$MAINPID$/m,
    'and reloads with SIGHUP';

done_testing;
