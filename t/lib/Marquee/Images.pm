package Marquee::Images;

# Images for the upload tests, made here: PNGs of any size (with EXIF in
# an eXIf chunk, text chunks, bytes after the end, or a header alone that
# claims any size), a small JPEG and WebP (48 x 64, made once with
# libvips's vips_jpegsave_buffer and vips_webpsave_buffer and kept below),
# EXIF blocks with GPS coordinates, and the dimensions of what comes back.
#
#   use Marquee::Images qw(png jpeg webp exif_gps dimensions);
#   my $poster = png(600, 900);
#   my $photo = jpeg(exif => exif_gps('a marker'));
#   my ($w, $h, $kind) = dimensions($bytes);

use strict;
use warnings;
use Compress::Zlib qw(compress crc32);
use Exporter qw(import);
use MIME::Base64 qw(decode_base64);

our @EXPORT_OK = qw(png png_header jpeg webp exif_gps dimensions);

sub chunk {
    my ($type, $data) = @_;
    return pack('N', length $data) . $type . $data . pack('N', crc32($type . $data));
}

sub ihdr { my ($w, $h) = @_; chunk('IHDR', pack('NNCCCCC', $w, $h, 8, 2, 0, 0, 0)) }

# png(WIDTH, HEIGHT, exif => TIFF, text => { KEY => VALUE }, after => BYTES):
# an RGB gradient.
sub png {
    my ($w, $h, %opt) = @_;
    my $raw = '';
    for my $y (0 .. $h - 1) {
        $raw .= "\0" . join '', map { pack 'C3', ($_ * 7) % 256, ($y * 5) % 256, ($_ + $y) % 256 } 0 .. $w - 1;
    }
    my $png = "\x89PNG\r\n\x1a\n" . ihdr($w, $h);
    $png .= chunk('tEXt', "$_\0$opt{text}{$_}") for sort keys %{ $opt{text} // {} };
    $png .= chunk('eXIf', $opt{exif}) if $opt{exif};
    return $png . chunk('IDAT', compress($raw)) . chunk('IEND', '') . ($opt{after} // '');
}

# A PNG whose header claims WIDTH x HEIGHT, with a few bytes of pixels:
# what a decompression bomb starts with.
sub png_header {
    my ($w, $h) = @_;
    return "\x89PNG\r\n\x1a\n" . ihdr($w, $h) . chunk('IDAT', compress("\0" x 64)) . chunk('IEND', '');
}

my $JPEG = decode_base64(<<'B64');
/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19i
Z2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj
Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCABAADADASIAAhEBAxEB/8QAHwAAAQUBAQEB
AQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1Fh
ByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZ
WmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG
x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAEC
AwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHB
CSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0
dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX
2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDiEjqdI6ckdTpHV846UxqR1OkdOSOp
0jp856VKYxI6nSOnpHU6R0+c9GlMxkjqdI6ckdTpHXHznyFKYxI6nSOnpHU6R0+c9GlMYkdTpHT0
jqZI6fOelSmYyR1OkdPSOp0jrj5z4+lMYkdTpHT0jqZI6fOelSmNSOp0jpyR1OkdPnPRpTMZI6nS
OnpHUyR1x858fSmNSOp0jpyR1OkdPnPSpTGpHU6R05I6nSOnznpUpn//2Q==
B64

my $WEBP = decode_base64(<<'B64');
UklGRqwBAABXRUJQVlA4WAoAAAAIAAAALwAAPwAAVlA4IMwAAABQBwCdASowAEAAPtFepky/paOi
rUgD8BoJZALgAOBGpCxJv5g2PVLyPYfRyP3/zlveJiwLJwybmQQzt9bB9HNxl+eAAP7+iwXNuBzW
thOD2ThoEan/XJGZz6BlS9T9OSuIeETeaA9judNAZfsCPb1qdPNIyN/qtPGCFc4m2s6YyT/AKsoZ
OlpRzCzDC0sndcUaf7HF77sGioH/TNvU9FEAbtHq6EReeGk1ZDYnp7fHSFh7nvq/JY4t5NqT75xg
qDBo5P+DrjCLVxsAAABFWElGugAAAEV4aWYAAElJKgAIAAAABgASAQMAAQAAAAEAAAAaAQUAAQAA
AFYAAAAbAQUAAQAAAF4AAAAoAQMAAQAAAAIAAAATAgMAAQAAAAEAAABphwQAAQAAAGYAAAAAAAAA
OGMAAOgDAAA4YwAA6AMAAAYAAJAHAAQAAAAwMjEwAZEHAAQAAAABAgMAAKAHAAQAAAAwMTAwAaAD
AAEAAAD//wAAAqAEAAEAAAAwAAAAA6AEAAEAAABAAAAAAAAAAA==
B64

# A 48 x 64 JPEG; exif => TIFF puts an APP1 EXIF segment after its SOI.
sub jpeg {
    my (%opt) = @_;
    return $JPEG unless $opt{exif};
    my $app1 = "Exif\0\0" . $opt{exif};
    return "\xff\xd8\xff\xe1" . pack('n', 2 + length $app1) . $app1 . substr($JPEG, 2);
}

# A 48 x 64 WebP.
sub webp { $WEBP }

# An EXIF block (TIFF, big-endian) with an ImageDescription of MARKER and
# a GPS position (48 deg 51' 30" N, 2 deg 17' 40" E).
sub exif_gps {
    my ($marker) = @_;
    my $desc = "$marker\0";
    # IFD0 at 8: 2 entries; the GPS IFD after it; then the data
    my $ifd0 = 8;
    my $gps = $ifd0 + 2 + 2 * 12 + 4;
    my $data = $gps + 2 + 4 * 12 + 4;
    my $lat = $data + length $desc;
    my $lon = $lat + 24;
    my $entry = sub { pack 'nnNa4', @_ };
    my $tiff = "MM\0\x2a" . pack('N', $ifd0);
    $tiff .= pack('n', 2) . pack('nnNN', 0x010e, 2, length $desc, $data)
        . pack('nnNN', 0x8825, 4, 1, $gps) . pack('N', 0);
    $tiff .= pack('n', 4) . $entry->(0x0001, 2, 2, "N\0\0\0") . pack('nnNN', 0x0002, 5, 3, $lat)
        . $entry->(0x0003, 2, 2, "E\0\0\0") . pack('nnNN', 0x0004, 5, 3, $lon) . pack('N', 0);
    $tiff .= $desc . pack('N6', 48, 1, 51, 1, 30, 1) . pack('N6', 2, 1, 17, 1, 40, 1);
    return $tiff;
}

# (width, height, kind) of a PNG, JPEG or WebP; () for anything else.
sub dimensions {
    my ($b) = @_;
    return (unpack('NN', substr($b, 16, 8)), 'png') if substr($b, 0, 8) eq "\x89PNG\r\n\x1a\n";
    if (substr($b, 0, 2) eq "\xff\xd8") {
        my $i = 2;
        while ($i + 9 < length $b) {
            my ($ff, $m, $len) = unpack 'CCn', substr($b, $i, 4);
            return () if $ff != 0xff;
            return ((unpack 'nn', substr($b, $i + 5, 4))[1, 0], 'jpeg')
                if ($m >= 0xc0 && $m <= 0xc3);
            $i += 2 + $len;
        }
        return ();
    }
    if (substr($b, 0, 4) eq 'RIFF' && substr($b, 8, 4) eq 'WEBP') {
        my $fourcc = substr($b, 12, 4);
        if ($fourcc eq 'VP8X') {
            my ($w, $h) = map { unpack('V', substr($b, $_, 3) . "\0") + 1 } 24, 27;
            return ($w, $h, 'webp');
        }
        if ($fourcc eq 'VP8 ') {
            my ($w, $h) = unpack 'vv', substr($b, 26, 4);
            return ($w & 0x3fff, $h & 0x3fff, 'webp');
        }
        if ($fourcc eq 'VP8L') {
            my $bits = unpack 'V', substr($b, 21, 4);
            return (($bits & 0x3fff) + 1, (($bits >> 14) & 0x3fff) + 1, 'webp');
        }
    }
    return ();
}

1;
