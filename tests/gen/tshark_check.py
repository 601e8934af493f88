#!/usr/bin/env python3
# Manual cross-check (not run by ctest): for every connection in DIR/manifest.json,
# decrypt with tshark and compare "follow,tls,raw" with conn-N.c2s.bin / conn-N.s2c.bin.
# usage: tshark_check.py DIR CAPTURE_FILE_NAME [tshark -o options...]
#   e.g. tshark_check.py out capture.pcapng -o tls.keylog_file:out/keys.log
import subprocess, sys, json, os
if len(sys.argv) < 3:
    sys.exit('usage: tshark_check.py DIR CAPTURE_FILE_NAME [tshark options...]')
d = sys.argv[1]; cap = sys.argv[2]; extra = sys.argv[3:]
m = json.load(open(os.path.join(d, 'manifest.json')))
ok = bad = 0
for c in m['connections']:
    i = c['index']
    out = subprocess.run(['tshark', '-r', os.path.join(d, cap), '-d', 'tcp.port==%d,tls' % c['server_port'], *extra, '-q', '-z', 'follow,tls,raw,%d' % i], capture_output=True, text=True).stdout
    lines = out.split('=' * 67)[1].strip().split('\n')
    node0 = [l for l in lines if l.startswith('Node 0')][0]
    swap = node0.split(': ',1)[1].rsplit(':',1)[1] == str(c['server_port'])
    lines = [l for l in lines if not l.startswith(('Follow', 'Filter', 'Node'))]
    c2s = b''; s2c = b''
    for l in lines:
        if l.startswith('\t'): s2c += bytes.fromhex(l.strip())
        elif l: c2s += bytes.fromhex(l.strip())
    e1 = open(os.path.join(d, c['c2s']['plaintext_file']), 'rb').read()
    e2 = open(os.path.join(d, c['s2c']['plaintext_file']), 'rb').read()
    if swap: c2s, s2c = s2c, c2s
    if c2s == e1 and s2c == e2: ok += 1
    else:
        bad += 1; print('mismatch', i, len(c2s), len(e1), len(s2c), len(e2))
print('ok', ok, 'bad', bad)
