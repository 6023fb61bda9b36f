#!/usr/bin/perl
# make-mmdb.pl: write the small MaxMind-format databases the tests of --geoip and --asn
# read, with Debian's libmaxmind-db-writer-perl (MaxMind::DB::Writer::Tree), the same
# format as GeoLite2-City and GeoLite2-ASN. Documentation and private ranges only.
#
#   tests/common/make-mmdb.pl city OUT.mmdb    a City database
#   tests/common/make-mmdb.pl asn OUT.mmdb     an ASN database with the kind of network
#
# City:  10.1.0.0/16      NO Oslo       59.9139  10.7522
#        10.2.0.0/16      NO Bergen     60.3913   5.3221
#        203.0.113.0/24   US Ashburn    39.0438 -77.4874
#        2001:db8::/32    NO Oslo       59.9139  10.7522
# ASN:   10.1.0.0/16 and 10.2.0.0/16  AS2119  "Telenor Norge AS"  isp
#        203.0.113.0/24               AS14061 "DIGITALOCEAN-ASN"  hosting
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($kind, $out) = @ARGV;
die "usage: make-mmdb.pl city|asn OUT.mmdb\n" unless defined $out && ($kind eq 'city' || $kind eq 'asn');

my %types = (
    country => 'map', iso_code => 'utf8_string', city => 'map', names => 'map', en => 'utf8_string',
    location => 'map', latitude => 'double', longitude => 'double',
    autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
    type => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version => 6, record_size => 24, languages => ['en'],
    database_type => $kind eq 'city' ? 'ad-Test-City' : 'ad-Test-ASN',
    description => { en => 'ad test database' },
    map_key_type_callback => sub { $types{ $_[0] } },
    alias_ipv6_to_ipv4 => 1, remove_reserved_networks => 0,
);
sub place {
    my ($cc, $city, $lat, $lon) = @_;
    return { country => { iso_code => $cc }, city => { names => { en => $city } },
             location => { latitude => $lat, longitude => $lon } };
}
sub as {
    my ($n, $org, $type) = @_;
    return { autonomous_system_number => $n, autonomous_system_organization => $org, type => $type };
}
if ($kind eq 'city') {
    $tree->insert_network('10.1.0.0/16', place('NO', 'Oslo', 59.9139, 10.7522));
    $tree->insert_network('10.2.0.0/16', place('NO', 'Bergen', 60.3913, 5.3221));
    $tree->insert_network('203.0.113.0/24', place('US', 'Ashburn', 39.0438, -77.4874));
    $tree->insert_network('2001:db8::/32', place('NO', 'Oslo', 59.9139, 10.7522));
} else {
    $tree->insert_network('10.1.0.0/16', as(2119, 'Telenor Norge AS', 'isp'));
    $tree->insert_network('10.2.0.0/16', as(2119, 'Telenor Norge AS', 'isp'));
    $tree->insert_network('203.0.113.0/24', as(14061, 'DIGITALOCEAN-ASN', 'hosting'));
}
open my $fh, '>:raw', $out or die "make-mmdb.pl: $out: $!\n";
$tree->write_tree($fh);
close $fh or die "make-mmdb.pl: $out: $!\n";
