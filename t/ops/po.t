# The translations of po/: every catalog compiles with msgfmt --check
# (formats that match their msgid, a well-formed header), and every
# message the code writes to people (xgettext over src/ with po/Makevars'
# keywords) has a translation, neither missing nor fuzzy, in every
# language of po/LINGUAS.
use strict;
use warnings;
use Test::More;
use File::Find;
use File::Temp;
use Marquee::Stack;

my $src = Marquee::Stack::srcdir();
plan skip_all => 'gettext (xgettext, msgfmt, msgcmp) is not installed'
    unless grep { -x "$_/xgettext" && -x "$_/msgcmp" } split /:/, $ENV{PATH};

my @langs = split ' ', Marquee::Stack::slurp("$src/po/LINGUAS");
is_deeply [sort @langs], [sort qw(fr de es pt_BR)], 'po/LINGUAS: fr, de, es and pt-BR';

for my $l (@langs) {
    my $out = `msgfmt --check --check-accelerators=_ -o /dev/null $src/po/$l.po 2>&1`;
    is $?, 0, "msgfmt --check po/$l.po" or diag $out;
}

# po/Makevars' XGETTEXT_OPTIONS, continuation lines joined
my $makevars = Marquee::Stack::slurp("$src/po/Makevars");
$makevars =~ s/\\\n\s*/ /g;
my ($opts) = $makevars =~ /^XGETTEXT_OPTIONS\s*=\s*(.*)$/m;
ok $opts && $opts =~ /--keyword=mq_problem:3/, 'po/Makevars names the message functions';

my @files;
find(sub { push @files, $File::Find::name if /\.c$/ }, "$src/src");
my $pot = File::Temp->new(SUFFIX => '.pot');
my $out = `xgettext $opts -o $pot @{[sort @files]} 2>&1`;
is $?, 0, 'xgettext reads src/' or diag $out;
my $count = () = Marquee::Stack::slurp("$pot") =~ /^msgid "./mg;
cmp_ok $count, '>', 300, "src/ has its messages marked ($count)";

for my $l (@langs) {
    $out = `msgcmp $src/po/$l.po $pot 2>&1`;
    is $?, 0, "po/$l.po translates every message of src/" or diag $out;
}

done_testing;
