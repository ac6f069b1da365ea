#!/usr/bin/env python3
"""Two traces of the same kernels (scripts/trace.sh's build/trace/<kernel>/
<hook>.json), taken under two QEMUs (Debian 12's 7.2 and Debian 13's 10.0),
must give the same counts: they count the guest's instructions, so any
difference is a bug in one of the two (or in the plugin's use of it).

For every kernel one TAP line for the guest's CPU (the same identity,
features and bugs: scripts/trace/cpu), and one per hook: ok when both have
the same doors and every door the same kernel-mode path (each kernel step's
function, instructions and entries), hence the same kernel count; else the
doors that differ, with their counts and the steps where they part. The user
side is not compared: each machine runs the programs its own glibc built.
At the end "N passed, N failed"; exit status 1 when anything failed.

usage: compare.py TDIR_A TDIR_B KERNEL...
"""
import json
import os
import sys

def hooks(*dirs):
    """The modes traced in either directory: its <hook>.json files."""
    return sorted(set(f[:-5] for d in dirs if os.path.isdir(d)
                      for f in os.listdir(d) if f.endswith('.json')), key=lambda h: (h != 'none', h))


def load(tdir, kver, hook):
    p = os.path.join(tdir, kver, hook + '.json')
    return json.load(open(p)) if os.path.exists(p) else None


def qemu(run):
    return run.get('qemu') or 'QEMU (unknown version)'


def kernel(steps):
    return [s for s in steps if s['ring'] == 0]


def cpu_diff(a, b):
    """How the guests' CPUs differ (an empty list: not at all)."""
    out = []
    for k in sorted(set(a) | set(b)):
        if k in ('flags', 'bugs'):
            fa, fb = set(a.get(k, '').split()), set(b.get(k, '').split())
            if fa != fb:
                out.append('%s: %s only in the first, %s only in the second'
                           % (k, ' '.join(sorted(fa - fb)) or '-', ' '.join(sorted(fb - fa)) or '-'))
        elif a.get(k) != b.get(k):
            out.append('%s: %s against %s' % (k, a.get(k), b.get(k)))
    return out


def step_diff(a, b):
    """The steps where two paths part: (function, ring) -> (count a, count b)."""
    ca = {(s['function'], s['ring']): (s['instructions'], s['entries']) for s in a}
    cb = {(s['function'], s['ring']): (s['instructions'], s['entries']) for s in b}
    out = []
    for key in list(ca) + [k for k in cb if k not in ca]:
        if ca.get(key) != cb.get(key):
            fmt = lambda v: '-' if v is None else '%d (entered %dx)' % v
            out.append('%s: %s against %s' % (key[0], fmt(ca.get(key)), fmt(cb.get(key))))
    if not out and [(s['function'], s['ring']) for s in a] != [(s['function'], s['ring']) for s in b]:
        out.append('the same steps, entered in another order')
    return out


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    ta, tb, kernels = sys.argv[1], sys.argv[2], sys.argv[3:]
    n = passed = failed = 0

    def result(ok, msg, detail=()):
        nonlocal n, passed, failed
        n += 1
        print('%s %d %s' % ('ok' if ok else 'not ok', n, msg))
        for d in detail:
            print('#   ' + d)
        if ok:
            passed += 1
        else:
            failed += 1

    for kver in kernels:
        runs = [(h, load(ta, kver, h), load(tb, kver, h))
                for h in hooks(os.path.join(ta, kver), os.path.join(tb, kver))]
        if not any(a or b for _, a, b in runs):
            result(False, '%s: traced in neither %s nor %s' % (kver, ta, tb))
            continue
        ca = next((r.get('cpu') for _, r, _ in runs if r), None)
        cb = next((r.get('cpu') for _, _, r in runs if r), None)
        if ca is not None and cb is not None:
            d = cpu_diff(ca, cb)
            result(not d, '%s: the same CPU in both guests (%s family %s model %s, %d flags)'
                   % (kver, ca.get('vendor_id'), ca.get('cpu_family'), ca.get('model'),
                      len(ca.get('flags', '').split())), d)
        for hook, a, b in runs:
            if not a and not b:
                continue  # a mode this kernel does not have, in both
            if not a or not b:
                result(False, '%s: %s: traced in %s only' % (kver, hook, ta if a else tb))
                continue
            da, db = a['doors'], b['doors']
            detail = []
            for key in sorted(set(da) | set(db)):
                if key not in da or key not in db:
                    detail.append('%s: traced under %s only' % (key, qemu(a if key in da else b)))
                    continue
                sa, sb = da[key].get('steps'), db[key].get('steps')
                if sa is not None and sb is not None:
                    sa, sb = kernel(sa), kernel(sb)
                else:
                    detail.append('%s: no uninterrupted call under %s'
                                  % (key, ' and '.join(qemu(r) for r, s in ((a, sa), (b, sb)) if s is None)))
                    continue
                if sa == sb:
                    continue
                detail.append('%s: %d kernel instructions under %s, %d under %s'
                              % (key, da[key]['totals']['kernel'], qemu(a),
                                 db[key]['totals']['kernel'], qemu(b)))
                detail += ['  ' + d for d in step_diff(sa, sb)]
            result(not detail, '%s: %s: %d doors, the same kernel path and count under %s and %s'
                   % (kver, hook, len(set(da) | set(db)), qemu(a), qemu(b)), detail)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    sys.exit(main())
