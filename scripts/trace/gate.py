#!/usr/bin/env python3
"""The deterministic performance gate: scripts/trace/budgets against
build/trace/<kernel>/<hook>.json, for every kernel given.

Per kernel and budget one result line, TAP-like ("ok N ..." / "not ok N
..."), and at the end "N passed, N failed". Besides the budgets, on every
kernel: every door and baseline was traced without interruption at least
once per round, and the two rounds of one boot gave the same counts.

usage: gate.py --budgets FILE --tdir DIR [--reference DIR] [--update-reference]
               [--hooks direct,...] KERNEL...
"""
import argparse
import json
import os
import re
import sys


def series(kver):
    return '.'.join(re.match(r'(\d+)\.(\d+)', kver).groups())


def load(tdir, kver, hook):
    p = os.path.join(tdir, kver, hook + '.json')
    return json.load(open(p))['doors'] if os.path.exists(p) else {}


NOTHING = {'totals': {'kernel': 0, 'user': 0, 'total': 0}, 'steps': []}


def kernel_steps(d):
    return {s['function']: s['instructions'] for s in d.get('steps', []) if s['ring'] == 0}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--budgets', required=True)
    p.add_argument('--tdir', required=True)
    p.add_argument('--reference', default=os.path.join(os.path.dirname(__file__), 'reference'))
    p.add_argument('--update-reference', action='store_true')
    p.add_argument('--hooks', help='check only the budgets of these hooks (comma-separated)')
    p.add_argument('kernels', nargs='+')
    a = p.parse_args()
    budgets = []
    for line in open(a.budgets):
        if line.strip() and not line.startswith('#'):
            f = line.split()
            limits = dict(x.split('=') for x in f[3:])
            budgets.append((f[0], f[1], f[2], limits))
    n = passed = failed = skipped = 0

    def result(ok, msg, detail=(), skip=None):
        nonlocal n, passed, failed, skipped
        n += 1
        print('%s %d %s%s' % ('ok' if ok else 'not ok', n, msg, ' # SKIP ' + skip if skip else ''))
        if skip:
            skipped += 1
            return
        for d in detail:
            print('#   ' + d)
        if ok:
            passed += 1
        else:
            failed += 1

    for kver in a.kernels:
        res = {h: load(a.tdir, kver, h) for h in ('none', 'direct', 'ftrace', 'kprobe', 'table', 'tracepoint')}
        refpath = os.path.join(a.reference, series(kver) + '.json')
        ref = json.load(open(refpath)) if os.path.exists(refpath) else {}
        newref = {}
        # determinism: every row traced cleanly in every round, one count
        bad = []
        for hook, doors in res.items():
            for key, d in doors.items():
                rounds = d.get('rounds', {})
                counts = set(c for v in rounds.values() for c in v)
                if not rounds or any(not v for v in rounds.values()):
                    bad.append('%s:%s: no uninterrupted call in some round' % (hook, key))
                elif len(counts) != 1:
                    bad.append('%s:%s: the counts differ between calls/rounds: %s' % (hook, key, rounds))
        nrows = sum(len(d) for d in res.values())
        result(nrows > 0 and not bad, '%s: %d rows, every round gave the same counts' % (kver, nrows), bad)
        for name, meas, minus, limits in budgets:
            if a.hooks and not {meas.split(':')[0], minus.split(':')[0]} <= set(a.hooks.split(',') + ['none', '-']):
                continue
            mx = limits.get(series(kver), limits.get('*'))
            mh, mk = meas.split(':', 1)
            dm = res[mh].get(mk, {})
            # "-": nothing to subtract, the budget is the door's own count
            db = NOTHING if minus == '-' else res[minus.split(':')[0]].get(minus.split(':', 1)[1], {})
            if mx is None:
                # a kernel new to the matrix: say what to add, fail nothing
                got = ('%d' % (dm['totals']['kernel'] - db['totals']['kernel'])
                       if 'totals' in dm and 'totals' in db else 'not traced')
                result(True, '%s: %s: measured %s' % (kver, name, got), skip='no budget for series %s in %s'
                       % (series(kver), os.path.basename(a.budgets)))
                continue
            mx = int(mx)
            if 'totals' not in dm or 'totals' not in db:
                result(False, '%s: %s: %s or %s was not traced' % (kver, name, meas, minus))
                continue
            got = dm['totals']['kernel'] - db['totals']['kernel']
            newref[name] = {'measured': kernel_steps(dm), 'minus': kernel_steps(db)}
            detail = []
            if got > mx:
                # name the steps that grew, against the last accepted counts
                r = ref.get(name)
                for side, d in (('measured', dm), ('minus', db)):
                    now = kernel_steps(d)
                    was = r[side] if r else {}
                    for fn, c in sorted(now.items(), key=lambda x: -(x[1] - was.get(x[0], 0))):
                        if r and c > was.get(fn, 0):
                            detail.append('step %s of %s grew: %d -> %d instructions'
                                          % (fn, meas if side == 'measured' else minus, was.get(fn, 0), c))
                if not detail:
                    extra = {fn: c - kernel_steps(db).get(fn, 0) for fn, c in kernel_steps(dm).items()}
                    top = sorted(((c, fn) for fn, c in extra.items() if c > 0), reverse=True)[:5]
                    detail = ['%s pays %d more than %s in step %s' % (meas, c, minus, fn) for c, fn in top]
            what = meas if minus == '-' else '%s - %s' % (meas, minus)
            result(got <= mx, '%s: %s: %s = %d instructions (budget %d)'
                   % (kver, name, what, got, mx), detail)
        if a.update_reference:
            os.makedirs(a.reference, exist_ok=True)
            with open(refpath, 'w') as f:
                json.dump(newref, f, indent=1, sort_keys=True)
                f.write('\n')
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    sys.exit(main())
