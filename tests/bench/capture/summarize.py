#!/usr/bin/env python3
"""Prints capture_bench.sh's tables from its runs.tsv: per packet size, one row per rate and
tool (medians over repetitions), the ratios against tcpdump in the same runs, the issue's
targets, and the memory run.

usage: summarize.py RUNS.tsv [--key SIZE:RATE] [--buffer-mib N]
                    [--memory MEMORY.tsv --memory-info "k=v ..."]

"lost" is sent - backlog - captured: replayed packets that are not in the capture files. On lo
the kernel puts every packet into the capture ring twice (the outgoing copy, which libpcap then
skips, and the incoming one), so when the ring is full both copies are dropped: the kernel drop
counters there are about twice the packets lost.
"""
import argparse
import csv
import statistics
import sys


def num(text, default=None):
    try:
        return float(text)
    except (TypeError, ValueError):
        return default


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, spec='{:.0f}', missing='-'):
    return missing if value is None else spec.format(value)


def per_packet_us(ns, packets):
    return None if not packets else ns / 1000.0 / packets


def load_runs(path):
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f, delimiter='\t'))
    for r in rows:
        for k in ('size', 'rate', 'rep', 'sent', 'backlog_drops', 'captured', 'other', 'user_drops',
                  'cpu_ns', 'capwr_cpu_ns', 'peak_rss_kb', 'rss_kb', 'ring_kb'):
            r[k] = int(r[k] or 0)
        for k in ('floor_write_ns', 'floor_read_ns'):  # absent in runs.tsv of older scripts
            r[k] = int(r.get(k) or 0)
        r['kernel_drops'] = None if r['kernel_drops'] == '' else int(r['kernel_drops'])
        r['tool_count'] = None if r['tool_count'] == '' else int(r['tool_count'])
        r['rated_pps'] = num(r['rated_pps'], 0.0)
        r['load1'] = num(r['load1'])
        r['exit_cpu_s'] = num(r['exit_cpu_s'])
        handled = r['captured'] + r['other']  # CPU was spent on every packet written
        r['us'] = per_packet_us(r['cpu_ns'], handled)
        r['capwr_us'] = per_packet_us(r['capwr_cpu_ns'], handled) if r['tool'] == 'tlsring' else None
        r['floor_write_us'] = per_packet_us(r['floor_write_ns'], handled) if r['floor_write_ns'] else None
        r['floor_read_us'] = per_packet_us(r['floor_read_ns'], handled) if r['floor_read_ns'] else None
        r['own_kb'] = r['rss_kb'] - r['ring_kb']
        r['lost'] = r['sent'] - r['backlog_drops'] - r['captured']
        r['drops'] = (r['kernel_drops'] or 0) + r['user_drops']
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('runs')
    parser.add_argument('--key', default='1500:200000')
    parser.add_argument('--buffer-mib', type=int, default=16)
    parser.add_argument('--memory')
    parser.add_argument('--memory-info', default='')
    args = parser.parse_args()
    rows = load_runs(args.runs)
    key_size, key_rate = (int(x) for x in args.key.split(':'))
    tools = []
    for r in rows:
        if r['tool'] not in tools:
            tools.append(r['tool'])
    groups = {}
    for r in rows:
        groups.setdefault((r['size'], r['rate'], r['tool']), []).append(r)

    mismatches = [r for r in rows
                  if r['tool_count'] is not None and r['tool_count'] != r['captured'] + r['other']]
    checks = []  # (target, verdict, detail)

    for size in sorted({r['size'] for r in rows}):
        print('\n== %d-byte frames, %d MiB kernel buffer: medians over repetitions '
              '(load = 1-min load average) ==' % (size, args.buffer_mib))
        head = ('%8s %-8s %4s %9s %9s %7s %9s %5s %7s %8s %7s %10s %7s %9s %8s %6s'
                % ('rate', 'tool', 'reps', 'sent', 'achieved', 'backlog', 'captured', 'other', 'lost',
                   'k.drops', 'u.drops', 'CPU us/pkt', 'cap+wr', 'peak RSS', '-ring', 'load'))
        print(head)
        print('-' * len(head))
        for rate in sorted({r['rate'] for r in rows if r['size'] == size}):
            for tool in tools:
                g = groups.get((size, rate, tool))
                if not g:
                    continue
                kd = median([r['kernel_drops'] for r in g])
                print('%8d %-8s %4d %9s %9s %7s %9s %5s %7s %8s %7s %10s %7s %8sM %7sM %6s'
                      % (rate, tool, len(g), fmt(median([r['sent'] for r in g])),
                         fmt(median([r['rated_pps'] for r in g])),
                         fmt(median([r['backlog_drops'] for r in g])),
                         fmt(median([r['captured'] for r in g])),
                         fmt(median([r['other'] for r in g])), fmt(median([r['lost'] for r in g])), fmt(kd),
                         fmt(median([r['user_drops'] for r in g])) if tool == 'tlsring' else '-',
                         fmt(median([r['us'] for r in g]), '{:.2f}'),
                         fmt(median([r['capwr_us'] for r in g]), '{:.2f}'),
                         fmt(median([r['peak_rss_kb'] / 1024.0 for r in g]), '{:.1f}'),
                         fmt(median([r['own_kb'] / 1024.0 for r in g]), '{:.1f}'),
                         fmt(median([r['load1'] for r in g]), '{:.2f}')))
            if any(len(groups.get((size, rate, t), [])) > 1 for t in tools):
                for tool in tools:
                    g = groups.get((size, rate, tool)) or []
                    if len(g) > 1:
                        print('%8s %-8s each run: lost %s; drops %s; CPU us/pkt %s%s' % (
                            '', tool, ' '.join(str(r['lost']) for r in g),
                            ' '.join(str(r['drops']) for r in g),
                            ' '.join(fmt(r['us'], '{:.2f}') for r in g),
                            ('; cap+wr ' + ' '.join(fmt(r['capwr_us'], '{:.2f}') for r in g))
                            if tool == 'tlsring' else ''))

        print('\n  ratios against tcpdump in the same runs (per repetition, then the median):')
        for rate in sorted({r['rate'] for r in rows if r['size'] == size}):
            base = {r['rep']: r for r in groups.get((size, rate, 'tcpdump'), [])}
            if not base:
                continue
            for tool in tools:
                if tool == 'tcpdump':
                    continue
                pairs = [(r, base[r['rep']]) for r in groups.get((size, rate, tool), []) if r['rep'] in base]
                if not pairs:
                    continue
                cpu = median([r['us'] / b['us'] if r['us'] and b['us'] else None for r, b in pairs])
                capwr = median([r['capwr_us'] / b['us'] if r['capwr_us'] and b['us'] else None
                                for r, b in pairs])
                lost = ', '.join('%d vs %d' % (r['lost'], b['lost']) for r, b in pairs)
                print('  %8d pps %-8s lost %s (tcpdump); CPU/pkt x%s%s' % (
                    rate, tool, lost, fmt(cpu, '{:.2f}'),
                    ' (capture+writer threads x%s)' % fmt(capwr, '{:.2f}') if tool == 'tlsring' else ''))
                if tool != 'tlsring' or args.buffer_mib != 16:
                    continue
                floor_write = median([b['floor_write_us'] for b in base.values()])
                floor_read = median([b['floor_read_us'] for b in base.values()])
                if floor_write is not None and floor_read is not None:
                    print('  %8s     floor: writing tcpdump\'s file costs %.2f us/pkt, reading it back %.2f us/pkt'
                          ' (dd, CPU); half of tcpdump\'s CPU is %.2f us/pkt' % (
                              '', floor_write, floor_read, median([b['us'] for b in base.values()]) / 2))
                for r, b in pairs:
                    if b['drops'] == 0:
                        checks.append(('zero drops where tcpdump has none: %dB %dpps rep %d' % (size, rate, r['rep']),
                                       r['drops'] == 0, '%d drops' % r['drops']))
                    if (size, rate) == (key_size, key_rate):
                        checks.append(('zero drops at %dB x %dpps rep %d' % (size, rate, r['rep']),
                                       r['drops'] == 0, '%d drops (tcpdump %d)' % (r['drops'], b['drops'])))
                checks.append(('CPU/pkt <= 1/2 tcpdump: %dB %dpps (whole process)' % (size, rate),
                               cpu is not None and cpu <= 0.5, 'x%s' % fmt(cpu, '{:.2f}')))

    if mismatches:
        print('\nWARNING: the tool\'s own packet count differs from the packets in its files:')
        for r in mismatches:
            print('  %dB %dpps rep %d %s: files %d, tool says %d'
                  % (r['size'], r['rate'], r['rep'], r['tool'], r['captured'] + r['other'], r['tool_count']))

    if args.memory:
        with open(args.memory, newline='') as f:
            rows_m = [r for r in csv.DictReader(f, delimiter='\t') if int(r['rss_kb'] or 0) > 0]
        samples = [int(r['rss_kb']) for r in rows_m]
        own = [int(r['rss_kb']) - int(r['ring_kb']) for r in rows_m]
        info = dict(kv.split('=', 1) for kv in args.memory_info.split())
        print('\n== memory run: tlsring, rotation every 2s, %s pps of 600 B frames for %s s =='
              % (info.get('rate', '?'), info.get('seconds', '?')))
        if samples:
            q = max(1, len(samples) // 4)
            mb = lambda kb: kb / 1024.0
            print('  RSS over %d samples (1/s): min %.1f MB, median %.1f MB, max %.1f MB; '
                  'first quarter median %.1f MB, last quarter median %.1f MB; VmHWM %.1f MB'
                  % (len(samples), mb(min(samples)), mb(statistics.median(samples)), mb(max(samples)),
                     mb(statistics.median(samples[:q])), mb(statistics.median(samples[-q:])),
                     mb(int(info.get('hwm_kb', '0') or 0))))
            print('  without the kernel ring mapping: min %.1f MB, median %.1f MB, max %.1f MB; '
                  'first quarter median %.1f MB, last quarter median %.1f MB'
                  % (mb(min(own)), mb(statistics.median(own)), mb(max(own)),
                     mb(statistics.median(own[:q])), mb(statistics.median(own[-q:]))))
            checks.append(('service RSS <= 64 MB over the memory run', max(samples) <= 64 * 1024,
                           'max %.1f MB' % mb(max(samples))))
            checks.append(('service RSS without the kernel ring <= 64 MB', max(own) <= 64 * 1024,
                           'max %.1f MB' % mb(max(own))))
        print('  sent %s packets, captured %s, drops (kernel/user) %s, capture files written (rotations) %s, '
              'connections reported %s' % (info.get('sent', '?'), info.get('packets', '?'), info.get('drops', '?'),
                                           info.get('files', '?'), info.get('connections', '?')))

    if args.buffer_mib != 16:
        print('\n(the drop and CPU targets are defined for the default 16 MiB buffer: not checked)')
    if checks:
        print('\n== targets (tlsring) ==')
        for name, ok, detail in checks:
            print('  %-4s %s: %s' % ('ok' if ok else 'MISS', name, detail))
    return 0


if __name__ == '__main__':
    sys.exit(main())
