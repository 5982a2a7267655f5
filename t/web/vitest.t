# The web app's component tests (web/test/*.test.ts[x]): Vitest in jsdom,
# its TAP passed through as this file's.
use strict;
use warnings;
use Marquee::Stack;

my $web = Marquee::Stack::srcdir() . '/web';
unless (-f "$web/package.json" && -x "$web/build") {
    print "1..0 # SKIP no web app here (a release tarball)\n";
    exit 0;
}
system("$web/build") == 0 or die "web/build failed\n";    # npm ci when needed
chdir $web or die "$web: $!\n";
exec 'node', 'node_modules/vitest/vitest.mjs', 'run', '--reporter=tap-flat' or die "node: $!\n";
