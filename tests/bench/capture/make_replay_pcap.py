#!/usr/bin/env python3
"""Writes the replay input of capture_bench.sh: a classic pcap (Ethernet, microsecond
timestamps) of many TCP connections to 127.0.0.1:3000, every data frame exactly SIZE bytes.

usage: make_replay_pcap.py --size BYTES --packets N --out FILE
                           [--concurrent 2000] [--per-connection 250] [--seed 1]

The corpus (deterministic for given arguments):
  - `--concurrent` connection slots are open at any time; the frames go round-robin over the
    slots, one frame per slot per round, so every connection sees interleaved traffic.
  - A connection is: SYN, SYN-ACK, ACK; then data segments alternating client->server and
    server->client (each acknowledging the other side); then FIN-ACK, FIN-ACK, ACK. It has
    `--per-connection` frames in all (the first connection of each slot a random even number of
    data frames fewer, so that connections end at staggered times), after which the slot opens a
    new connection from the next client port.
  - Data frames are exactly --size bytes on the wire without FCS: 14 Ethernet + 20 IPv4 + 20 TCP
    (no options) + payload. The payload is one TLS 1.2 application-data record header
    (17 03 03 LEN) followed by pseudo-random bytes (the same for every frame): it looks like
    encrypted T-Server traffic whose handshake was not captured.
  - Control frames (SYN, SYN-ACK, handshake ACK, FINs, final ACK) carry no payload: 54 bytes
    padded to the 60-byte Ethernet minimum. With the defaults they are 6 of 250 frames (2.4%).
  - Addresses: server 127.0.0.1:3000; client of slot i is 127.1.(i / 254).(i % 254 + 1), ports
    from 20000 up. IPv4 and TCP checksums are valid; DF set; TTL 64.
  - MAC addresses 02:00:00:00:00:02 (client) and 02:00:00:00:00:01 (server): not lo's own
    address (00:00:00:00:00:00), so when tcpreplay sends them on lo the kernel marks them
    PACKET_OTHERHOST and the IP stack discards them (no RST replies add to the traffic) while
    every packet socket (the capturers) still sees them.
  - Timestamps 5 us apart (tcpreplay --pps ignores them).
"""
import argparse
import random
import struct
import sys

ETH_CLIENT = bytes.fromhex('020000000002')
ETH_SERVER = bytes.fromhex('020000000001')
SERVER_IP = bytes([127, 0, 0, 1])
SERVER_PORT = 3000
HEADERS = 14 + 20 + 20
MIN_FRAME = 60

SYN, ACK, FIN, PSH = 0x02, 0x10, 0x01, 0x08


def words_sum(data):
    """Sum of the big-endian 16-bit words of `data` (zero-padded to even length), not folded."""
    if len(data) % 2:
        data += b'\0'
    return sum(struct.unpack('!%dH' % (len(data) // 2), data))


def fold(total):
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


class Writer:
    def __init__(self, out, size, seed):
        self.out = out
        self.ip_id = 0
        self.ts_us = 1_700_000_000 * 1_000_000
        self.count = 0
        self.data_frames = 0
        rng = random.Random(seed)
        body = bytes(rng.getrandbits(8) for _ in range(size - HEADERS - 5))
        self.payload = struct.pack('!BHH', 0x17, 0x0303, len(body)) + body
        self.payload_sum = words_sum(self.payload)

    def frame(self, src_ip, dst_ip, sport, dport, seq, ack, flags, with_payload):
        payload = self.payload if with_payload else b''
        payload_sum = self.payload_sum if with_payload else 0
        tcp_len = 20 + len(payload)
        ip_total = 20 + tcp_len
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, ip_total, self.ip_id, 0x4000, 64, 6, 0,
                         src_ip, dst_ip)
        ip = ip[:10] + struct.pack('!H', 0xFFFF - fold(words_sum(ip))) + ip[12:]
        tcp = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          5 << 4, flags, 65535, 0, 0)
        pseudo = src_ip + dst_ip + struct.pack('!BBH', 0, 6, tcp_len)
        checksum = 0xFFFF - fold(words_sum(pseudo) + words_sum(tcp) + payload_sum)
        tcp = tcp[:16] + struct.pack('!H', checksum) + tcp[18:]
        mac = (ETH_SERVER + ETH_CLIENT) if dst_ip == SERVER_IP else (ETH_CLIENT + ETH_SERVER)
        frame = mac + b'\x08\x00' + ip + tcp + payload
        if len(frame) < MIN_FRAME:
            frame += b'\0' * (MIN_FRAME - len(frame))
        self.ts_us += 5
        self.out.write(struct.pack('<IIII', self.ts_us // 1_000_000, self.ts_us % 1_000_000,
                                   len(frame), len(frame)))
        self.out.write(frame)
        self.count += 1
        self.data_frames += bool(with_payload)


def connection(writer, client_ip, client_port, frames, rng):
    """Yields once per frame written; `frames` >= 6, data frames = frames - 6."""
    cseq, sseq = rng.getrandbits(32), rng.getrandbits(32)
    plen = len(writer.payload)
    c = (client_ip, SERVER_IP, client_port, SERVER_PORT)
    s = (SERVER_IP, client_ip, SERVER_PORT, client_port)
    writer.frame(*c, cseq, 0, SYN, False); cseq += 1; yield
    writer.frame(*s, sseq, cseq, SYN | ACK, False); sseq += 1; yield
    writer.frame(*c, cseq, sseq, ACK, False); yield
    for i in range(frames - 6):
        if i % 2 == 0:
            writer.frame(*c, cseq, sseq, PSH | ACK, True); cseq += plen
        else:
            writer.frame(*s, sseq, cseq, PSH | ACK, True); sseq += plen
        yield
    writer.frame(*c, cseq, sseq, FIN | ACK, False); cseq += 1; yield
    writer.frame(*s, sseq, cseq, FIN | ACK, False); sseq += 1; yield
    writer.frame(*c, cseq, sseq, ACK, False); yield


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size', type=int, required=True, help='bytes per data frame (>= 64)')
    parser.add_argument('--packets', type=int, required=True, help='frames in all')
    parser.add_argument('--out', required=True, help='pcap file to write')
    parser.add_argument('--concurrent', type=int, default=2000, help='connections open at once')
    parser.add_argument('--per-connection', type=int, default=250, help='frames per connection')
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    if not 64 <= args.size <= 65535:
        sys.exit('make_replay_pcap.py: --size must be 64 to 65535 bytes')
    if args.packets < 1 or args.concurrent < 1 or not 1 <= args.concurrent <= 254 * 254:
        sys.exit('make_replay_pcap.py: --packets must be >= 1 and --concurrent 1 to 64516')
    if args.per_connection < 6 or args.per_connection % 2:
        sys.exit('make_replay_pcap.py: --per-connection must be an even number >= 6')

    rng = random.Random(args.seed)
    connections = 0
    with open(args.out, 'wb', buffering=1 << 22) as out:
        out.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        writer = Writer(out, args.size, args.seed)
        slots = []
        for i in range(args.concurrent):
            ip = bytes([127, 1, i // 254, i % 254 + 1])
            first = args.per_connection - 2 * rng.randrange((args.per_connection - 6) // 2 + 1)
            slots.append([ip, 20000, connection(writer, ip, 20000, first, rng)])
            connections += 1
        while True:
            for slot in slots:
                if writer.count >= args.packets:
                    break
                try:
                    next(slot[2])
                except StopIteration:
                    slot[1] = 20000 + (slot[1] - 20000 + 1) % 45000
                    slot[2] = connection(writer, slot[0], slot[1], args.per_connection, rng)
                    connections += 1
                    next(slot[2])
            else:
                continue
            break
    print('%s: %d frames (%d data frames of %d bytes, %d control frames of 60 bytes), '
          '%d connections started, %d open at once'
          % (args.out, writer.count, writer.data_frames, args.size,
             writer.count - writer.data_frames, connections, args.concurrent))


if __name__ == '__main__':
    main()
