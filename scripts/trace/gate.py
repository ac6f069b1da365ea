#!/usr/bin/env python3
"""The deterministic performance gate: scripts/trace/budgets against
build/trace/<kernel>/<hook>.json, for every kernel given.

Per kernel, budget and mode one result line, TAP-like ("ok N ..." / "not ok
N ..."), and at the end "N passed, N failed, N skipped". Besides the
budgets, on every kernel: every door and baseline was traced without
interruption at least once per round, and the two rounds of one boot gave
the same counts.

usage: gate.py --budgets FILE --tdir DIR [--reference DIR] [--update-reference]
               [--hooks direct,...] KERNEL...
"""
import argparse
import json
import os
import re
import sys


def line_keys(kver):
    """The keys a budget may name a kernel's matrix line by, most precise
    first: 6.12.118+deb13-amd64 -> 6.12+deb13, 6.12, *."""
    series = '.'.join(re.match(r'(\d+)\.(\d+)', kver).groups())
    deb = re.search(r'\+(deb\d+)', kver)
    return ([series + '+' + deb.group(1)] if deb else []) + [series, '*']


def line_key(kver):
    return line_keys(kver)[0]


def traced_hooks(tdir, kver):
    """The modes traced on a kernel: its <hook>.json files, none first."""
    d = os.path.join(tdir, kver)
    hooks = sorted(f[:-5] for f in os.listdir(d) if f.endswith('.json')) if os.path.isdir(d) else []
    return sorted(hooks, key=lambda h: h != 'none')


def load(tdir, kver, hook):
    p = os.path.join(tdir, kver, hook + '.json')
    return json.load(open(p))['doors'] if os.path.exists(p) else {}


NOTHING = {'totals': {'kernel': 0, 'user': 0, 'total': 0}, 'steps': []}


def kernel_steps(d):
    return {s['function']: s['instructions'] for s in d.get('steps', []) if s['ring'] == 0}


def read_budgets(path):
    """Rows (name, hook, measured, minus, {line: max})."""
    rows = []
    for n, line in enumerate(open(path), 1):
        if not line.strip() or line.startswith('#'):
            continue
        f = line.split()
        if len(f) < 5 or any('=' not in x for x in f[4:]) or '=' in ''.join(f[:4]):
            sys.exit('%s:%d: expected "name hook measured minus LINE=MAX..."' % (path, n))
        rows.append((f[0], f[1], f[2], f[3], dict(x.split('=', 1) for x in f[4:])))
    return rows


def update_budgets(path, measured):
    """Write each LINE=MAX that was measured as the count measured. A "*"
    measured differently on two lines is left as it is, and said: give those
    lines keys of their own. Comments and the rest of each row stay."""
    out = []
    for line in open(path):
        m = re.match(r'(\s*\S+\s+\S+\s+\S+\s+\S+\s+)(\S.*)$', line)
        if line.startswith('#') or not m:
            out.append(line)
            continue
        name, hook = line.split()[:2]
        limits = []
        for kv in m.group(2).split():
            k, v = kv.split('=', 1)
            got = measured.get((name, hook, k), set())
            if len(got) == 1:
                v = str(next(iter(got)))
            elif got:
                print('# %s (%s): %s= measured %s on different lines: give each its own key'
                      % (name, hook, k, sorted(got)), file=sys.stderr)
            limits.append('%s=%s' % (k, v))
        out.append('%s%s\n' % (m.group(1), '  '.join(limits)))
    with open(path, 'w') as fh:
        fh.writelines(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--budgets', required=True)
    p.add_argument('--tdir', required=True)
    p.add_argument('--reference', default=os.path.join(os.path.dirname(__file__), 'reference'))
    p.add_argument('--update-reference', action='store_true')
    p.add_argument('--update-budgets', action='store_true',
                   help='write the counts measured into the budgets file (a leaner or new path)')
    p.add_argument('--hooks', help='check only the budgets of these hooks (comma-separated)')
    p.add_argument('kernels', nargs='+')
    a = p.parse_args()
    budgets = read_budgets(a.budgets)
    only = set(a.hooks.split(',')) if a.hooks else None
    n = passed = failed = skipped = 0
    measured = {}	# (row name, hook, line key) -> count, for --update-budgets

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
        hooks = traced_hooks(a.tdir, kver)
        res = {h: load(a.tdir, kver, h) for h in hooks}
        modes = [h for h in hooks if h != 'none']
        refpath = os.path.join(a.reference, line_key(kver) + '.json')
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
        result(nrows > 0 and not bad, '%s: %d rows in %d modes (%s), every round gave the same counts'
               % (kver, nrows, len(hooks), ' '.join(hooks) or 'none traced'), bad)
        for name, bhook, meas, minus, limits in budgets:
            mx = next((limits[k] for k in line_keys(kver) if k in limits), None)
            if bhook == '*':
                # a door no hook is on the path of: under every mode traced
                todo = modes
                if mx is not None and not todo:
                    result(False, '%s: %s: no mode was traced' % (kver, name))
            else:
                todo = [bhook]
            for hook in todo:
                if only is not None and hook not in only:
                    continue
                mh, mk = (meas.split(':', 1) if ':' in meas else (hook, meas))
                if minus == '-':
                    bh, bk = None, None
                else:
                    bh, bk = (minus.split(':', 1) if ':' in minus else (hook, minus))
                if only is not None and bh not in only | {'none', None}:
                    continue
                dm = res.get(mh, {}).get(mk, {})
                # "-": nothing to subtract, the budget is the door's own count
                db = NOTHING if bh is None else res.get(bh, {}).get(bk, {})
                what = '%s:%s' % (mh, mk) + ('' if bh is None else ' - %s:%s' % (bh, bk))
                label = '%s: %s (%s)' % (kver, name, hook)
                # a door that fails here (io_uring's on 5.10, which has no
                # IORING_OP_URING_CMD) has no path to hold to a budget
                rc = dm.get('result') if dm.get('kind') == 'door' else 0
                if mx is None:
                    # a mode (or kernel) new here: say what to add, fail nothing
                    if hook not in res:
                        continue
                    if rc:
                        result(True, label, skip='%s:%s fails here (%d)' % (mh, mk, rc))
                        continue
                    got = ('%d' % (dm['totals']['kernel'] - db['totals']['kernel'])
                           if 'totals' in dm and 'totals' in db else 'not traced')
                    result(True, '%s: measured %s' % (label, got), skip='no budget for %s in %s'
                           % (line_key(kver), os.path.basename(a.budgets)))
                    continue
                mx = int(mx)
                if 'totals' not in dm or 'totals' not in db:
                    result(False, '%s: %s was not traced%s' % (
                        label, what, '' if hook in res else ' (hook=%s did not load: %s has %s)'
                        % (hook, kver, ', '.join(modes) or 'no mode')))
                    continue
                if rc:
                    result(False, '%s: the call of %s:%s failed (%d)' % (label, mh, mk, rc))
                    continue
                got = dm['totals']['kernel'] - db['totals']['kernel']
                key = next(k for k in line_keys(kver) if k in limits)
                measured.setdefault((name, bhook, key), set()).add(got)
                rkey = '%s/%s' % (name, hook)
                newref[rkey] = {'measured': kernel_steps(dm), 'minus': kernel_steps(db)}
                detail = []
                if got > mx:
                    # name the steps that grew, against the last accepted counts
                    r = ref.get(rkey)
                    for side, d, spec in (('measured', dm, '%s:%s' % (mh, mk)),
                                          ('minus', db, '%s:%s' % (bh, bk))):
                        now = kernel_steps(d)
                        was = r[side] if r else {}
                        for fn, c in sorted(now.items(), key=lambda x: -(x[1] - was.get(x[0], 0))):
                            if r and c > was.get(fn, 0):
                                detail.append('step %s of %s grew: %d -> %d instructions'
                                              % (fn, spec, was.get(fn, 0), c))
                    if not detail:
                        extra = {fn: c - kernel_steps(db).get(fn, 0) for fn, c in kernel_steps(dm).items()}
                        top = sorted(((c, fn) for fn, c in extra.items() if c > 0), reverse=True)[:5]
                        detail = ['%s:%s pays %d more than %s in step %s' % (mh, mk, c, bk or 'nothing', fn)
                                  for c, fn in top]
                if got < mx:
                    # the budgets are exact: a leaner path lowers its budget
                    detail = ['it fell from %d: lower the budget to %d (gate.py --update-budgets)'
                              % (mx, got)]
                result(got == mx or a.update_budgets and got < mx,
                       '%s: %s = %d instructions (budget %d)' % (label, what, got, mx), detail)
        if a.update_reference:
            os.makedirs(a.reference, exist_ok=True)
            with open(refpath, 'w') as f:
                json.dump(newref, f, indent=1, sort_keys=True)
                f.write('\n')
    if a.update_budgets:
        update_budgets(a.budgets, measured)
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    sys.exit(main())
