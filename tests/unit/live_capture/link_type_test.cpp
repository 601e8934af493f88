// DLT -> LINKTYPE: expected values from the LINKTYPE registry
// (tcpdump.org/linktypes.html), not from the mapping under test.
#include "daemon/capture/link_type.h"

#include <catch2/catch.hpp>
#include <pcap/dlt.h>

using tlsring::daemon::link_type_from_dlt;

TEST_CASE("link types: values that differ from their DLT are mapped to the registry's LINKTYPE") {
  CHECK(link_type_from_dlt(DLT_RAW) == 101u);
  CHECK(link_type_from_dlt(DLT_ATM_RFC1483) == 100u);
  CHECK(link_type_from_dlt(DLT_SLIP_BSDOS) == 102u);
  CHECK(link_type_from_dlt(DLT_PPP_BSDOS) == 103u);
  CHECK(link_type_from_dlt(DLT_ATM_CLIP) == 106u);
}

TEST_CASE("link types: Ethernet, Linux cooked captures and the rest keep their number") {
  CHECK(link_type_from_dlt(DLT_EN10MB) == 1u);
  CHECK(link_type_from_dlt(DLT_NULL) == 0u);
  CHECK(link_type_from_dlt(DLT_LINUX_SLL) == 113u);
  CHECK(link_type_from_dlt(DLT_LINUX_SLL2) == 276u);
  CHECK(link_type_from_dlt(DLT_IEEE802_11_RADIO) == 127u);
  CHECK(link_type_from_dlt(DLT_NFLOG) == 239u);
}
