#!/usr/bin/env python3
"""The host half of scripts/trace.sh.

symbolise: the plugin's raw windows (tools/qemu-plugin/xyz_trace.c) and the
  guest's console (kallsyms, the module's symbols per load, which door each
  window is) become build/trace/<kernel>/<hook>.json: per door the functions
  entered in order, each with its ring and instruction count, and the totals.
page: docs/callpath.md and docs/callpath.svg from those files.
"""
import argparse
import base64
import bisect
import collections
import gzip
import json
import os
import re
import subprocess
import sys

KERNEL_HALF = 0xffff800000000000
# Entry points of asynchronous events: a window that ran one of these was
# interrupted (the timer, an IPI, a device) or faulted, and is not the path.
# int3 is not among them: hook=kprobe's path goes through it.
DISTURBED = re.compile(r'^(asm_sysvec_|asm_common_interrupt|asm_spurious_interrupt|'
                       r'irq_entries_start|spurious_entries_start|asm_exc_(?!int3))')


MODULE_FUNCS = set()  # the functions of xyz.ko, marked as such in the steps


def die(msg):
    sys.exit('report.py: ' + msg)


class Symbols:
    """Sorted start addresses -> names; an address belongs to the symbol
    that starts at or below it."""

    def __init__(self, pairs):
        pairs = sorted(pairs)
        self.addrs = [a for a, _ in pairs]
        self.names = [n for _, n in pairs]

    def lookup(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        return self.names[i] if i >= 0 else None


def kallsyms_pairs(lines, text_only=True):
    for line in lines:
        f = line.split()
        if len(f) < 3:
            continue
        try:
            addr = int(f[0], 16)
        except ValueError:
            continue
        if text_only and f[1] not in 'tTwW':
            continue
        name = f[2]
        if len(f) > 3 and f[3] == '[xyz]':
            MODULE_FUNCS.add(name)
        elif len(f) > 3:
            name += ' ' + f[3]  # a trampoline: "ftrace_trampoline [__builtin__ftrace]"
        yield addr, name


def nm_pairs(binary):
    out = subprocess.run(['nm', '--defined-only', binary], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in 'tTwWi':
            yield int(f[0], 16), f[2]


def parse_serial(path):
    """The guest's console: kallsyms, and the sequence of events."""
    lines = [l.rstrip('\r\n') for l in open(path, errors='replace')]
    events, ksyms, cpu, i = [], None, {}, 0
    while i < len(lines):
        l = lines[i]
        if l == 'XYZ-TRACE-KALLSYMS-BEGIN':
            j = lines.index('XYZ-TRACE-KALLSYMS-END', i)
            blob = base64.b64decode(''.join(lines[i + 1:j]))
            ksyms = gzip.decompress(blob).decode().splitlines()
            i = j
        elif l == 'XYZ-TRACE-MODSYMS-BEGIN':
            j = lines.index('XYZ-TRACE-MODSYMS-END', i)
            events.append(('modsyms', lines[i + 1:j]))
            i = j
        elif l.startswith('XYZ-TRACE-MODE '):
            _, rnd, mode = l.split()
            events.append(('mode', int(rnd), mode))
        elif l.startswith('XYZ-TRACE-ABI '):
            events.append(('abi', l.split()[1]))
        elif l.startswith('XYZ-TRACE-DOOR '):
            _, name, did, reps, rc = l.split()
            events.append(('door', name, int(did), int(reps), int(rc)))
        elif l.startswith('XYZ-TRACE-CPU '):
            k, _, v = l[len('XYZ-TRACE-CPU '):].partition(':')
            cpu[k.strip().replace(' ', '_')] = v.strip()
        elif l.startswith('XYZ-TRACE-FAIL'):
            die('the guest said: ' + l)
        i += 1
    if ksyms is None:
        die('no kallsyms in ' + path)
    if 'XYZ-TRACE-END' not in lines:
        die('the guest did not finish (no XYZ-TRACE-END in %s)' % path)
    return ksyms, events, cpu


def parse_trace(path):
    """The plugin's header ({'api': N, 'ring': 'cpl' or 'address'}) and its
    windows, in order: (id, end kind, [(ring, addr)])."""
    wins, cur, head = [], None, {}
    with open(path) as f:
        for line in f:
            c = line[0]
            if c == '#':
                head = dict(x.split('=', 1) for x in line.split()[2:])
            elif c == '!':
                # the plugin read the CPL, and the address says another ring
                _, ring, addr = line.split()
                die('%s: window %d: the instruction at %s ran in ring %s, which its address '
                    'contradicts: the address rule of QEMU 7.2 (tools/qemu-plugin/xyz_trace.c) '
                    'does not hold here' % (path, len(wins), addr, ring))
            elif c == 'W':
                _, seq, wid = line.split()
                cur = (int(wid), [])
            elif c in 'ET':
                wins.append((cur[0], c, cur[1]))
                cur = None
            else:
                ring, addr = line.split()
                cur[1].append((int(ring), int(addr, 16)))
    return head, wins


def steps_of(insns, ksyms, usyms):
    """The functions entered, in order of first entry, with their counts."""
    order, count, entries, prev = [], collections.Counter(), collections.Counter(), None
    for ring, addr in insns:
        if ring == 0:
            fn = ksyms.lookup(addr) or '?kernel'
        else:
            fn = usyms.lookup(addr) if addr < usyms.end else None
            fn = fn or '[vdso]'
        key = (fn, ring)
        if key not in count:
            order.append(key)
        count[key] += 1
        if key != prev:
            entries[key] += 1
        prev = key
    steps = []
    for fn, ring in order:
        s = {'function': fn, 'ring': ring, 'instructions': count[(fn, ring)],
             'entries': entries[(fn, ring)]}
        if ring == 0 and fn in MODULE_FUNCS:
            s['module'] = 'xyz'
        steps.append(s)
    return steps


def totals(steps):
    u = sum(s['instructions'] for s in steps if s['ring'] == 3)
    k = sum(s['instructions'] for s in steps if s['ring'] == 0)
    return {'user': u, 'kernel': k, 'total': u + k}


def read_doors(path):
    rows = {}
    for line in open(path):
        if line.startswith('#') or not line.strip():
            continue
        f = line.split(None, 4)
        rows['%s@%s' % (f[0], f[1])] = {'kind': f[2], 'baseline': None if f[3] == '-'
                                        else '%s@%s' % (f[3], f[1]), 'label': f[4].strip()}
    return rows


def symbolise(a):
    ksyms_lines, events, cpu = parse_serial(a.serial)
    base = list(kallsyms_pairs(ksyms_lines))
    head, wins = parse_trace(a.trace)
    table = read_doors(a.doors)
    usyms = {}
    for abi, binary in (('64', a.bin64), ('32', a.bin32)):
        s = Symbols(nm_pairs(binary))
        s.end = 1 << 32 if abi == '32' else 0x7f0000000000  # past it: the vDSO
        usyms[abi] = s
    ksyms = Symbols(base)
    results = collections.defaultdict(lambda: collections.defaultdict(list))
    rcs = {}
    mode = rnd = abi = None
    w = 0
    for ev in events:
        if ev[0] == 'mode':
            rnd, mode = ev[1], ev[2]
            ksyms = Symbols(base)
        elif ev[0] == 'modsyms':
            ksyms = Symbols(base + list(kallsyms_pairs(ev[1])))
        elif ev[0] == 'abi':
            abi = ev[1]
        elif ev[0] == 'door':
            _, name, did, reps, rc = ev
            key = '%s@%s' % (name, abi)
            rcs[(mode, key)] = rc
            for _ in range(reps):
                if w >= len(wins):
                    die('fewer windows in %s than the guest opened' % a.trace)
                wid, end, insns = wins[w]
                w += 1
                if wid != did:
                    die('window %d has id %d, the guest says %s (id %d)' % (w - 1, wid, key, did))
                if end != 'E':
                    die('window %d (%s) was never closed' % (w - 1, key))
                results[mode][key].append((rnd, steps_of(insns, ksyms, usyms[abi])))
    if w != len(wins):
        die('%d windows in %s, the guest accounted for %d' % (len(wins), a.trace, w))
    for mode, doors in results.items():
        out = {'kernel': a.kernel, 'hook': mode, 'doors': {},
               # the plugin's API version and how it told the rings apart
               'plugin': {'api': int(head.get('api', 1)), 'ring': head.get('ring', 'address')},
               'qemu': a.qemu, 'cpu': cpu}
        for key, runs in doors.items():
            clean = [(r, s) for r, s in runs
                     if not any(DISTURBED.match(x['function']) for x in s)]
            sigs = collections.Counter(json.dumps(s) for _, s in clean)
            per_round = collections.defaultdict(set)
            for r, s in clean:
                per_round[r].add(totals(s)['kernel'])
            row = table.get(key, {'kind': '?', 'baseline': None, 'label': key})
            d = {'label': row['label'], 'kind': row['kind'], 'baseline': row['baseline'],
                 'result': rcs.get((mode, key)), 'windows': len(runs),
                 'interrupted': len(runs) - len(clean), 'distinct_paths': len(sigs),
                 # the kernel counts of the clean windows, round by round:
                 # the same run twice must give the same numbers
                 'rounds': {str(r): sorted(v) for r, v in sorted(per_round.items())}}
            if sigs:
                steps = json.loads(sigs.most_common(1)[0][0])
                d['steps'] = steps
                d['totals'] = totals(steps)
            out['doors'][key] = d
        with open(os.path.join(a.out, mode + '.json'), 'w') as f:
            json.dump(out, f, indent=1)
            f.write('\n')
        print('[%s] %s.json: %s' % (a.kernel, mode, ', '.join(
            '%s %s' % (k, v.get('totals', {}).get('kernel', '?')) for k, v in out['doors'].items())))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('symbolise')
    for o in ('serial', 'trace', 'bin64', 'bin32', 'doors', 'kernel', 'out'):
        s.add_argument('--' + o, required=True)
    s.add_argument('--qemu', default='', help='the QEMU that ran the trace (its version)')
    g = sub.add_parser('page')
    for o in ('tdir', 'doors', 'md', 'svg'):
        g.add_argument('--' + o, required=True)
    g.add_argument('kernels', nargs='+')
    a = p.parse_args()
    if a.cmd == 'symbolise':
        symbolise(a)
    else:
        import callpath_page
        callpath_page.write(a)


if __name__ == '__main__':
    main()
