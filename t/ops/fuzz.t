# The libFuzzer targets of t/fuzz, one test each: every input of the
# target's checked-in corpus (t/fuzz/corpus/<name>, which keeps the inputs
# of the crashes found so far), then a short run from it with a fixed seed:
# MQ_FUZZ_RUNS inputs (10000), or MQ_FUZZ_SECONDS (1; libFuzzer stops within
# the second after) for the slower targets.  ./dev test builds the targets
# with clang in var/build/fuzz and names that build in MQ_FUZZ_BUILDDIR;
# ./dev fuzz [TARGET] [SECONDS] runs them for longer.
use strict;
use warnings;
use Test::More;
use File::Copy qw(copy);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Marquee::Stack;

my $src = Marquee::Stack::srcdir();
my $build = $ENV{MQ_FUZZ_BUILDDIR}
    or plan skip_all => 'no fuzz build: ./dev test makes one (MQ_FUZZ_BUILDDIR)';
my $seconds = $ENV{MQ_FUZZ_SECONDS} // 1;
my $runs = $ENV{MQ_FUZZ_RUNS} // 10000;
my @targets = map { m{/fuzz_(\w+)\.c$} ? $1 : () } sort glob "$src/t/fuzz/fuzz_*.c";
ok(@targets >= 12, 'the targets are there') or diag("found: @targets");

# Where a failing input is kept for the one who reads the failure.
my $keep = ($ENV{MQ_BUILDDIR} // "$src/var/build/test") . '/t/tmp/fuzz';

for my $t (@targets) {
    my $bin = "$build/t/fuzz/fuzz_$t";
    my $corpus = "$src/t/fuzz/corpus/$t";
    my $tmp = tempdir(CLEANUP => 1);
    my @dict = -f "$src/t/fuzz/$t.dict" ? ("-dict=$src/t/fuzz/$t.dict") : ();
    my @inputs = glob "$corpus/*";
    if (!-x $bin) {
        fail("fuzz_$t: built");
        diag("no $bin: make -C $build fuzz");
        next;
    }
    # New inputs go to $tmp, never into the checked-in corpus.
    my @cmd = ($bin, '-seed=1', '-runs=' . ($runs + @inputs), "-max_total_time=$seconds", '-timeout=10',
               '-rss_limit_mb=2048', "-artifact_prefix=$tmp/", @dict, $tmp, $corpus);
    my $out = run(@cmd);
    my ($done) = $out =~ /^#(\d+)\s+DONE/m;
    if (ok($? == 0 && $done && $done >= @inputs,
           "fuzz_$t: its " . @inputs . " inputs, then $runs more or ${seconds}s")) {
        next;
    }
    my @lines = split /\n/, $out;
    my @why = grep { /invariant failed|ERROR: |SUMMARY|runtime error|^\s+#\d+ .* in (?!fuzzer::|__)/ } @lines;
    diag(join "\n", (@why ? @why[0 .. ($#why < 15 ? $#why : 15)] : @lines[-15 .. -1]));
    make_path($keep);
    for my $a (glob "$tmp/crash-* $tmp/leak-* $tmp/timeout-* $tmp/oom-*") {
        (my $name = $a) =~ s{.*/}{${t}-};
        copy($a, "$keep/$name");
        diag("input kept in $keep/$name; again: $bin $keep/$name");
    }
}

sub run {
    my (@cmd) = @_;
    open my $fh, '-|' or do {
        open STDERR, '>&', \*STDOUT;
        open STDIN, '<', '/dev/null';
        exec @cmd or die "exec $cmd[0]: $!\n";
    };
    local $/;
    my $out = <$fh> // '';
    close $fh;
    return $out;
}

done_testing;
