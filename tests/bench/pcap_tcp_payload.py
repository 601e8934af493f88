#!/usr/bin/env python3
# Prints the total TCP payload bytes of a classic pcap file (Ethernet, with or
# without 802.1Q tags, or raw IP; IPv4 and IPv6 without extension headers).
# decrypt_bench.sh uses it to check that `ssldump -w OUT.pcap` wrote every
# plaintext byte: ssldump writes each decrypted record as one TCP segment.
# usage: pcap_tcp_payload.py FILE.pcap
import struct
import sys

LINK_ETHERNET, LINK_RAW, LINK_IPV4, LINK_IPV6 = 1, 101, 228, 229


def ip_payload(frame, link):
    """Returns the IP packet inside one captured frame, or None."""
    if link == LINK_ETHERNET:
        off = 12
        while off + 2 <= len(frame):
            ethertype = struct.unpack_from('>H', frame, off)[0]
            if ethertype in (0x8100, 0x88A8):  # VLAN tag: skip it
                off += 4
                continue
            return frame[off + 2:] if ethertype in (0x0800, 0x86DD) else None
        return None
    if link in (LINK_RAW, LINK_IPV4, LINK_IPV6):
        return frame
    sys.exit('pcap_tcp_payload.py: link type %d not supported' % link)


def tcp_payload_len(ip):
    """TCP payload length of one IP packet (0 when not TCP or truncated)."""
    if len(ip) < 20:
        return 0
    version = ip[0] >> 4
    if version == 4:
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack_from('>H', ip, 2)[0]
        if ip[9] != 6:
            return 0
        tcp_start, ip_end = ihl, total
    elif version == 6 and len(ip) >= 40:
        if ip[6] != 6:
            return 0
        tcp_start, ip_end = 40, 40 + struct.unpack_from('>H', ip, 4)[0]
    else:
        return 0
    if len(ip) < tcp_start + 13:
        return 0
    data_offset = (ip[tcp_start + 12] >> 4) * 4
    return max(0, ip_end - tcp_start - data_offset)


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: pcap_tcp_payload.py FILE.pcap')
    total = 0
    with open(sys.argv[1], 'rb') as f:
        header = f.read(24)
        if len(header) < 24:
            sys.exit('pcap_tcp_payload.py: %s: no pcap header' % sys.argv[1])
        magic = header[:4]
        if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
            endian = '<'
        elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
            endian = '>'
        else:
            sys.exit('pcap_tcp_payload.py: %s: not a classic pcap file' % sys.argv[1])
        link = struct.unpack_from(endian + 'I', header, 20)[0] & 0x0FFFFFFF
        while True:
            record = f.read(16)
            if len(record) < 16:
                break
            incl_len = struct.unpack_from(endian + 'I', record, 8)[0]
            frame = f.read(incl_len)
            ip = ip_payload(frame, link)
            if ip is not None:
                total += tcp_payload_len(ip)
    print(total)


if __name__ == '__main__':
    main()
