#!/usr/bin/env python3
"""docs/syscall-path.md and docs/syscall-path.svg: the path of one call through
every door, on one kernel (Debian 13's 6.12), from the trace.

The prose is written by hand in scripts/trace/syscall-path.md.in; every
number on the page and every box of the figure comes from the trace. The
trace of that kernel is kept in the repository, trimmed to the doors' paths,
as scripts/trace/reference/<line>.paths.json (the data model of
build/trace/<kernel>/<hook>.json, one file for every mode), beside the
counts scripts/trace/gate.py keeps in <line>.json.

usage: syscall_path.py update [--tdir DIR] [RELEASE...]
         the trace of the line's release among RELEASEs (none among them:
         nothing to do), or else of the newest one traced in DIR
         (build/trace/6.12.*+deb13-amd64, from scripts/trace.sh) -> the
         .paths.json, then the page and the figure
       syscall_path.py write
         the page and the figure from the .paths.json
       syscall_path.py check
         the committed page and figure are what `write` makes, and the paths
         agree with scripts/trace/budgets and reference/<line>.json (so a
         budget changed without regenerating the page fails); no VM needed

`make syscall-path` runs `update`; scripts/trace.sh does too when it traced
that line and writes the pages (no --no-page).
"""
import argparse
import difflib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import gate  # noqa: E402  (line_keys, read_budgets, kernel_steps)

# the kernel line the page shows, and the mode its doors are shown in
LINE = '6.12+deb13'
MAIN = 'direct'
MODES = ('none', 'direct', 'ftrace', 'kprobe', 'table')
PATHS = os.path.join(HERE, 'reference', LINE + '.paths.json')
TEMPLATE = os.path.join(HERE, 'syscall-path.md.in')
MD = os.path.join(TOP, 'docs', 'syscall-path.md')
SVG = os.path.join(TOP, 'docs', 'syscall-path.svg')
BUDGETS = os.path.join(HERE, 'budgets')
REFERENCE = os.path.join(HERE, 'reference', LINE + '.json')
# the rows of the trace the page and the budgets use (the other baselines
# stay in build/trace and docs/callpath.md)
ROWS = ('getppid@64', 'int80_getppid@64', 'int80_getppid@32', 'uring_nop@64', 'enotty_xyz@64',
        'enotty_xyz@32', 'glibc@64', 'raw@64', 'int80@64', 'int80@32', 'ioctl@64', 'ioctl@32',
        'uring@64', 'mmap@64')
PHASES = ('user', 'entry', 'dispatch', 'hook', 'door', 'service', 'exit')


def die(msg):
    sys.exit('syscall_path.py: ' + msg)


def warn(msg):
    print('syscall_path.py: warning: ' + msg, file=sys.stderr)


# ---- the data: build/trace/<kernel>/<hook>.json <-> <line>.paths.json ----

def version_key(kver):
    return [int(x) if x.isdigit() else x for x in re.split(r'(\d+)', kver)]


def newest_release(tdir):
    rels = [d for d in os.listdir(tdir) if os.path.isdir(os.path.join(tdir, d))
            and re.match(r'\d', d) and gate.line_key(d) == LINE] if os.path.isdir(tdir) else []
    if not rels:
        die('no trace of a %s kernel in %s: run scripts/trace.sh --no-page <release> first '
            '(the release: source scripts/lib.sh; xyz_matrix amd64 | grep deb13)' % (LINE, tdir))
    return max(rels, key=version_key)


def snapshot(tdir, kver):
    """The trace of one kernel, every mode, trimmed to ROWS and to what the
    page uses: per row its label, kind, baseline, result and steps."""
    out = {'kernel': kver, 'line': LINE, 'modes': {}}
    for mode in MODES:
        p = os.path.join(tdir, kver, mode + '.json')
        if not os.path.exists(p):
            continue
        run = json.load(open(p))
        for k in ('qemu', 'plugin', 'cpu'):
            out.setdefault(k, run.get(k))
        rows = {}
        for key in ROWS:
            d = run['doors'].get(key)
            if not d or 'steps' not in d:
                continue
            rows[key] = {'label': d['label'], 'kind': d['kind'], 'baseline': d['baseline'],
                         'result': d['result'],
                         'steps': [[s['function'], s['ring'], s['instructions'], s['entries']]
                                   + (['xyz'] if s.get('module') else []) for s in d['steps']]}
        out['modes'][mode] = rows
    if MAIN not in out['modes'] or 'none' not in out['modes']:
        die('%s: no %s.json or none.json in %s' % (kver, MAIN, os.path.join(tdir, kver)))
    cpu = out.get('cpu') or {}
    out['cpu'] = {k: cpu[k] for k in ('vendor_id', 'cpu_family', 'model', 'bugs') if k in cpu}
    return out


def dump_paths(snap):
    """JSON with one step per line: small diffs when a path changes."""
    o = ['{']
    for k in ('kernel', 'line', 'qemu', 'plugin', 'cpu'):
        o.append(' %s: %s,' % (json.dumps(k), json.dumps(snap.get(k), sort_keys=True)))
    o.append(' "modes": {')
    modes = [m for m in MODES if m in snap['modes']]
    for i, mode in enumerate(modes):
        o.append('  %s: {' % json.dumps(mode))
        keys = [k for k in ROWS if k in snap['modes'][mode]]
        for j, key in enumerate(keys):
            d = snap['modes'][mode][key]
            head = {k: d[k] for k in ('label', 'kind', 'baseline', 'result')}
            o.append('   %s: {%s, "steps": [' % (json.dumps(key), json.dumps(head, sort_keys=True)[1:-1]))
            o.append(',\n'.join('    ' + json.dumps(s) for s in d['steps']))
            o.append('   ]}' + (',' if j < len(keys) - 1 else ''))
        o.append('  }' + (',' if i < len(modes) - 1 else ''))
    o.append(' }')
    o.append('}')
    return '\n'.join(o) + '\n'


def load_paths(path=PATHS):
    """The .paths.json, back in the trace's data model: per mode and row a
    dict with 'steps' (function, ring, instructions, entries, module) and
    'totals'."""
    snap = json.load(open(path))
    for rows in snap['modes'].values():
        for d in rows.values():
            d['steps'] = [dict(function=s[0], ring=s[1], instructions=s[2], entries=s[3],
                               **({'module': 'xyz'} if len(s) > 4 else {})) for s in d['steps']]
            u = sum(s['instructions'] for s in d['steps'] if s['ring'] == 3)
            k = sum(s['instructions'] for s in d['steps'] if s['ring'] == 0)
            d['totals'] = {'user': u, 'kernel': k, 'total': u + k}
    return snap


# ---- the template ----

def parse_template(path=TEMPLATE):
    """The page's text, and the two tables of its header blocks: each
    function's phase and what it does."""
    text = open(path).read()
    phases, describe = {}, {}

    def block(m):
        name, body = m.group(1), m.group(2)
        cur = None
        for line in body.splitlines():
            if not line.strip() or line.startswith('#'):
                continue
            if name == 'phases':
                ph, _, fns = line.partition(':')
                if ph.strip() not in PHASES:
                    die('%s: unknown phase %r' % (path, ph.strip()))
                for fn in fns.split():
                    phases[fn] = ph.strip()
            elif line[0] in ' \t' and cur:
                describe[cur] += ' ' + line.strip()
            else:
                cur, _, what = line.partition(':')
                cur = cur.strip()
                describe[cur] = what.strip()
        return ''

    text = re.sub(r'^@@(phases|describe)\n(.*?)^@@end\n', block, text, flags=re.S | re.M)
    return text, phases, describe


class Page:
    """What the template's @@= expressions can use."""

    def __init__(self, snap, phases, describe):
        self.snap, self.phases, self.describe = snap, phases, describe
        self.modes = snap['modes']
        self.budgets = gate.read_budgets(BUDGETS)
        self.unclassified = set()

    def row(self, door, mode=MAIN):
        try:
            return self.modes[mode][door]
        except KeyError:
            die('the template asks for %s in mode %s, which the trace of %s does not have'
                % (door, mode, self.snap['kernel']))

    def k(self, door, mode=MAIN):
        """Kernel instructions of one call."""
        return self.row(door, mode)['totals']['kernel']

    def u(self, door, mode=MAIN):
        """User instructions of one call."""
        return self.row(door, mode)['totals']['user']

    def s(self, door, fn, mode=MAIN):
        """Instructions of one step of a path."""
        for st in self.row(door, mode)['steps']:
            if st['function'] == fn:
                return st['instructions']
        die('the template names step %s of %s (%s), which is not on that path: edit %s'
            % (fn, door, mode, TEMPLATE))

    def phase_of(self, steps):
        """Each step's phase: the template's, else (a function new on the
        path) the phase of the step before it."""
        out, prev = [], 'user'
        for st in steps:
            if st['ring'] == 3:
                ph = 'user'
            else:
                # a name with a blank ("ftrace_trampoline [__builtin__ftrace]")
                # is listed with an underscore
                ph = self.phases.get(st['function'].replace(' ', '_'))
                if ph is None:
                    self.unclassified.add(st['function'])
                    ph = prev if prev != 'user' else 'entry'
            out.append(ph)
            prev = ph
        return out

    def ph(self, door, phase, mode=MAIN):
        """Instructions of one phase of a path."""
        steps = self.row(door, mode)['steps']
        return sum(st['instructions'] for st, p in zip(steps, self.phase_of(steps)) if p == phase)

    def tax(self, mode, base='getppid@64'):
        return self.k(base, mode) - self.k(base, 'none')

    def budget(self, name, hook, line):
        for n, h, _, _, limits in self.budgets:
            if n == name and h == hook and line in limits:
                return int(limits[line])
        die('no budget %s %s for %s in %s' % (name, hook, line, BUDGETS))

    def fns(self, door, phase, mode=MAIN):
        """The steps of one phase: "`f` (n), `g` (m)"."""
        steps = self.row(door, mode)['steps']
        return ', '.join('`%s` (%d)' % (st['function'], st['instructions'])
                         for st, p in zip(steps, self.phase_of(steps)) if p == phase)

    def steps(self, door, mode=MAIN, explain=True):
        """The path of one call as a table: side, function, count, and
        what the step does."""
        d = self.row(door, mode)
        steps = d['steps']
        o = ['| | function | instructions | phase | what it does |', '|---|---|---:|---|---|']
        prev = None
        for st, p in zip(steps, self.phase_of(steps)):
            ring = st['ring']
            if prev == 3 and ring == 0:
                o.append('| | **trap: user mode to kernel mode** | | | |')
            elif prev == 0 and ring == 3:
                o.append('| | **back in user mode** | | | |')
            side = 'user' if ring == 3 else ('xyz.ko' if st.get('module') else 'kernel')
            what = self.describe.get(st['function'], '') if explain else ''
            if explain and not what:
                warn('no description for %s (on %s): add one to %s' % (st['function'], door, TEMPLATE))
            again = ' (%d visits)' % st['entries'] if st['entries'] > 1 else ''
            o.append('| %s | `%s` | %d%s | %s | %s |' % (side, st['function'], st['instructions'],
                                                          again, p, what))
            prev = ring
        if prev == 0:
            o.append('| | **back in user mode** (in the caller, counted above) | | | |')
        t = d['totals']
        o.append('| | **total** | **%d** | | %d user + %d kernel |' % (t['total'], t['user'], t['kernel']))
        return '\n'.join(o)

    def phase_table(self, doors, mode=MAIN):
        """Instructions per phase, one column per door."""
        cols = [(label, door) for label, door in doors]
        o = ['| phase | ' + ' | '.join(label for label, _ in cols) + ' |',
             '|---|' + '---:|' * len(cols)]
        for p in PHASES:
            cells = [self.ph(door, p, mode) for _, door in cols]
            if any(cells):
                o.append('| %s | ' % p + ' | '.join(str(c) for c in cells) + ' |')
        o.append('| **kernel** | ' + ' | '.join('**%d**' % self.k(door, mode) for _, door in cols) + ' |')
        return '\n'.join(o)

    def hook_table(self):
        """Per mode traced: the tax on other system calls, and the
        syscall door's count."""
        o = ['| hook | on getppid (`syscall`) | on getppid (`int $0x80`) | the hook\'s steps on the `syscall` door | `syscall` door, kernel | over getppid |',
             '|---|---:|---:|---|---:|---:|']
        for mode in MODES[1:]:
            if mode not in self.modes:
                continue
            o.append('| `%s` | %+d | %+d | %s | %d | %+d |' % (
                mode, self.tax(mode), self.tax(mode, 'int80_getppid@64'),
                self.fns('raw@64', 'hook', mode), self.k('raw@64', mode),
                self.k('raw@64', mode) - self.k('getppid@64', mode)))
        return '\n'.join(o)

    def ring_how(self):
        """How the plugin told user from kernel on this trace."""
        if (self.snap.get('plugin') or {}).get('ring') == 'cpl':
            return 'the privilege level, which the plugin reads from QEMU'
        return ('by the address: the kernel lives in the upper half; this QEMU cannot report the '
                'privilege level, QEMU 10 can, and agrees')

    def pti(self):
        """Whether the traced kernel ran with page-table isolation."""
        cpu = self.snap.get('cpu') or {}
        which = '%s family %s model %s' % (cpu.get('vendor_id', '?'), cpu.get('cpu_family', '?'),
                                           cpu.get('model', '?'))
        if 'cpu_meltdown' in cpu.get('bugs', '').split():
            return ('the CPU QEMU emulates (%s) is affected by Meltdown, so the kernel switches page '
                    'tables on every entry and exit (page-table isolation)' % which)
        return ('the CPU QEMU emulates (%s) is not affected by Meltdown, so the kernel runs without '
                'page-table isolation: no page-table switch on these paths' % which)

    def render(self, text):
        ns = {'k': self.k, 'u': self.u, 's': self.s, 'ph': self.ph, 'tax': self.tax,
              'budget': self.budget, 'fns': self.fns, 'steps': self.steps,
              'phase_table': self.phase_table, 'hook_table': self.hook_table,
              'kernel': self.snap['kernel'], 'line': LINE, 'qemu': self.snap.get('qemu', ''),
              'cpu': self.snap.get('cpu', {}), 'modes': [m for m in MODES[1:] if m in self.modes],
              'ring_how': self.ring_how(), 'pti': self.pti()}

        def ev(m):
            try:
                return str(eval(m.group(1), {'__builtins__': {'abs': abs, 'round': round, 'max': max,
                                                              'min': min, 'len': len, 'str': str}}, ns))
            except SystemExit:
                raise
            except Exception as e:  # a broken expression names itself
                die('%s: @@= %s@@: %s' % (TEMPLATE, m.group(1), e))
        out = re.sub(r'@@=(.*?)@@', ev, text, flags=re.S)
        if '@@' in out:
            die('%s: an @@ that is not an @@= expression@@' % TEMPLATE)
        return out


# ---- the figure ----

COLORS = {'user': '#9ecae1', 'entry': '#fd8d3c', 'dispatch': '#fdd0a2', 'hook': '#e31a1c',
          'door': '#c7e9c0', 'service': '#31a354', 'exit': '#bcbddc'}
WHAT = {'user': 'user mode', 'entry': 'entry: from the trap to C', 'dispatch': 'dispatch',
        'hook': 'the hook', 'door': "the door's own way", 'service': 'sys_xyz',
        'exit': 'exit: back to user mode'}
TRAPS = {'glibc@64': ('syscall', 'sysretq'), 'raw@64': ('syscall', 'sysretq'),
         'int80@64': ('int $0x80', 'iretq'), 'int80@32': ('int $0x80', 'iretq'),
         'ioctl@64': ('syscall', 'sysretq'), 'uring@64': ('syscall', 'sysretq')}


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def text_w(s, size=10):
    return len(s) * size * 0.58


def svg(page):
    kver = page.snap['kernel']
    same80 = ([(s['function'], s['instructions']) for s in page.row('int80@64')['steps'] if s['ring'] == 0] ==
              [(s['function'], s['instructions']) for s in page.row('int80@32')['steps'] if s['ring'] == 0])
    lanes = [('glibc syscall(400, &args)', 'glibc@64'), ('syscall instruction (asm)', 'raw@64')]
    lanes += ([('int $0x80, 32- or 64-bit', 'int80@32')] if same80 else
              [('int $0x80 (64-bit program)', 'int80@64'), ('int $0x80 (32-bit program)', 'int80@32')])
    lanes += [('ioctl(/dev/xyz)', 'ioctl@64'), ('io_uring_enter(), 1 SQE', 'uring@64'),
              ('mmap page (INFO)', 'mmap@64')]
    W, left, right = 980, 170, 20
    longest = max(page.row(d)['totals']['total'] for _, d in lanes)
    scale = (W - left - right - 140) / longest
    o = []
    y = 20
    o.append('<text x="10" y="%d" font-size="15" font-weight="bold">One call to sys_xyz (NOP) through '
             'every door: each box a function, its width its instructions</text>' % y)
    y += 18
    o.append('<text x="10" y="%d" fill="#444">Debian 13, kernel %s, hook=%s; traced in QEMU '
             '(docs/syscall-path.md). Upper row of a lane: user mode; lower row: kernel mode.</text>'
             % (y, esc(kver), MAIN))
    y += 20

    def lane(label, door, y, sc, names):
        d = page.row(door)
        steps = d['steps']
        phases = page.phase_of(steps)
        uh, kh, gap = 16, 18, 16
        yu, yk = y, y + uh + gap
        o.append('<text x="%d" y="%d" text-anchor="end" font-weight="bold">%s</text>'
                 % (left - 8, yu + 12, esc(label)))
        x = left
        trap = TRAPS.get(door)
        prev = None
        tx = rx = None
        out_boxes = []
        for st, p in zip(steps, phases):
            w = st['instructions'] * sc
            ring = st['ring']
            if prev == 3 and ring == 0:
                tx = x
            prev = ring
            yy, hh = (yu, uh) if ring == 3 else (yk, kh)
            mod = st.get('module')
            title = '%s: %d instructions%s (%s%s)' % (
                st['function'], st['instructions'],
                ', %d visits' % st['entries'] if st['entries'] > 1 else '', WHAT[p],
                ', xyz.ko' if mod else '')
            o.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" stroke="%s" stroke-width="%s">'
                     '<title>%s</title></rect>' % (x, yy, max(w, 0.8), hh, COLORS[p],
                                                  '#000' if mod else '#fff', '1.2' if mod else '0.5', esc(title)))
            out_boxes.append((x, w, yy, hh, st, p))
            x += w
        if prev == 0:
            rx = x
        # labels inside the boxes that have room: name and count, or count
        for bx, w, yy, hh, st, p in out_boxes:
            fill = '#fff' if p in ('service', 'hook') else '#000'
            full = '%s %d' % (st['function'], st['instructions'])
            if names and text_w(full, 9) + 4 < w:
                o.append('<text x="%.1f" y="%d" font-size="9" fill="%s">%s</text>' % (bx + 2, yy + hh - 5, fill, esc(full)))
            elif text_w(str(st['instructions']), 9) + 3 < w:
                o.append('<text x="%.1f" y="%d" font-size="9" text-anchor="middle" fill="%s">%d</text>'
                         % (bx + w / 2, yy + hh - 5, fill, st['instructions']))
        t = d['totals']
        if tx is not None:
            o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#b00" stroke-width="1.5" '
                     'marker-end="url(#arrow)"/>' % (tx, yu + uh, tx, yk - 2))
            o.append('<text x="%.1f" y="%d" font-size="9" fill="#b00">%s</text>'
                     % (tx + 3, yu + uh + 11, esc(trap[0] if trap else 'trap')))
            o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#b00" stroke-width="1.5" '
                     'marker-end="url(#arrow)"/>' % (rx, yk, rx, yu + uh + 2))
            o.append('<text x="%.1f" y="%d" font-size="9" fill="#b00">%s</text>'
                     % (rx + 3, yu + uh + 11, esc(trap[1] if trap else 'return')))
            o.append('<text x="%.1f" y="%d" fill="#333">%d user + %d kernel</text>'
                     % (rx + 6, yk + 13, t['user'], t['kernel']))
        else:
            o.append('<text x="%.1f" y="%d" fill="#333">%d user, no trap: 0 kernel</text>'
                     % (x + 6, yu + 12, t['user']))
        return yk + kh

    o.append('<defs><marker id="arrow" markerWidth="6" markerHeight="6" refX="6" refY="3" orient="auto">'
             '<path d="M0,0 L6,3 L0,6 z" fill="#b00"/></marker></defs>')
    for label, door in lanes:
        y = lane(label, door, y, scale, False) + 16
    # the legend
    x = 10
    y += 6
    for p in PHASES:
        o.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (x, y, COLORS[p]))
        o.append('<text x="%d" y="%d">%s</text>' % (x + 16, y + 10, esc(WHAT[p])))
        x += 16 + text_w(WHAT[p], 11) + 14
    y += 18
    o.append('<rect x="10" y="%d" width="12" height="12" fill="#fff" stroke="#000" stroke-width="1.2"/>'
             '<text x="26" y="%d">outlined: a function of xyz.ko</text>' % (y, y + 10))
    o.append('<text x="230" y="%d" fill="#444">A function entered twice (on the way in and out) is one box '
             'with all its instructions. Hover a box for its name.</text>' % (y + 10))
    y += 34
    # the two trap paths, every function named
    o.append('<text x="10" y="%d" font-size="15" font-weight="bold">syscall against int $0x80, '
             'every function named</text>' % y)
    y += 12
    zoom = [('syscall instruction', 'raw@64'), ('int $0x80', 'int80@64')]
    zl = max(page.row(d)['totals']['total'] for _, d in zoom)
    zs = (W - left - right - 140) / zl
    for label, door in zoom:
        y += 8
        y = lane(label, door, y, zs, True)
        # every kernel function's name under its box, pushed apart to stay legible
        steps = page.row(door)['steps']
        x, pos, last = left, [], -1e9
        for st in steps:
            w = st['instructions'] * zs
            if st['ring'] == 0:
                c = x + w / 2
                p = max(c, last + 11)
                pos.append((c, p, st))
                last = p
            x += w
        for c, p, st in pos:
            o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888" stroke-width="0.6"/>'
                     % (c, y, p, y + 8))
            o.append('<text transform="translate(%.1f,%d) rotate(90)" font-size="9">%s %d</text>'
                     % (p - 3, y + 10, esc(st['function']), st['instructions']))
        y += 10 + max(text_w('%s %d' % (st['function'], st['instructions']), 9) for _, _, st in pos) + 6
    H = int(y + 10)
    head = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
            'font-family="sans-serif" font-size="11">' % (W, H, W, H),
            '<rect width="100%" height="100%" fill="white"/>']
    return '\n'.join(head + o + ['</svg>']) + '\n'


# ---- the commands ----

def generate(snap):
    text, phases, describe = parse_template()
    page = Page(snap, phases, describe)
    md = page.render(text)
    fig = svg(page)
    for fn in sorted(page.unclassified):
        warn('%s has no phase: add it to the @@phases block of %s' % (fn, TEMPLATE))
    return md, fig


def write(snap):
    md, fig = generate(snap)
    for path, s in ((MD, md), (SVG, fig)):
        with open(path, 'w') as f:
            f.write(s)
        print('wrote %s' % os.path.relpath(path, TOP))


def check():
    """TAP-like lines; exit status 1 on any drift."""
    n, bad = 0, 0
    fix = ('regenerate: make syscall-path (scripts/trace/syscall_path.py update, from a trace of the '
           '%s kernel: scripts/trace.sh --no-page <release>)' % LINE)

    def result(ok, msg, detail=()):
        nonlocal n, bad
        n += 1
        print('%s %d %s' % ('ok' if ok else 'not ok', n, msg))
        for d in detail:
            print('#   ' + d)
        bad += not ok

    snap = load_paths()
    md, fig = generate(snap)
    for path, want in ((MD, md), (SVG, fig)):
        have = open(path).read() if os.path.exists(path) else ''
        diff = list(difflib.unified_diff(have.splitlines(), want.splitlines(), 'committed', 'generated',
                                         n=0, lineterm=''))
        result(have == want, '%s is what %s and %s make' % (
            os.path.relpath(path, TOP), os.path.relpath(TEMPLATE, TOP), os.path.relpath(PATHS, TOP)),
            (diff[:12] + (['...'] if len(diff) > 12 else []) + [fix]) if diff else ())
    # the paths against the budgets: every budget of this line, in every
    # mode the paths have, must be exactly what they count
    kver = snap['kernel']
    modes = [m for m in snap['modes'] if m != 'none']
    ref = json.load(open(REFERENCE)) if os.path.exists(REFERENCE) else {}
    problems, refprob, checked = [], [], 0
    for name, bhook, meas, minus, limits in gate.read_budgets(BUDGETS):
        mx = next((limits[k] for k in gate.line_keys(kver) if k in limits), None)
        if mx is None:
            continue
        for hook in (modes if bhook == '*' else [bhook]):
            if hook not in snap['modes']:
                continue
            mh, mk = meas.split(':', 1) if ':' in meas else (hook, meas)
            dm = snap['modes'].get(mh, {}).get(mk)
            if minus == '-':
                db = {'totals': {'kernel': 0}, 'steps': []}
                bh, bk = None, None
            else:
                bh, bk = minus.split(':', 1) if ':' in minus else (hook, minus)
                db = snap['modes'].get(bh, {}).get(bk)
            if dm is None or db is None:
                problems.append('%s (%s): %s has no %s' % (name, hook, os.path.relpath(PATHS, TOP),
                                                           mk if dm is None else bk))
                continue
            if dm['kind'] == 'door' and dm['result']:
                continue
            checked += 1
            got = dm['totals']['kernel'] - db['totals']['kernel']
            if got != int(mx):
                problems.append('%s (%s): the page counts %d, scripts/trace/budgets says %s'
                                % (name, hook, got, mx))
            r = ref.get('%s/%s' % (name, hook))
            if r is None:
                refprob.append('%s/%s: not in %s' % (name, hook, os.path.relpath(REFERENCE, TOP)))
            elif r['measured'] != gate.kernel_steps(dm) or r['minus'] != gate.kernel_steps(db):
                steps = {}
                for side, d in (('measured', dm), ('minus', db)):
                    now = gate.kernel_steps(d)
                    for fn in sorted(set(now) | set(r[side])):
                        if now.get(fn) != r[side].get(fn):
                            steps[fn] = '(%s): reference %s, page %s' % (side, r[side].get(fn), now.get(fn))
                refprob.append('%s/%s: the reference has %s' % (name, hook, ', '.join(
                    '%s %s' % kv for kv in sorted(steps.items()))))
    result(checked > 0 and not problems, '%s: the page\'s counts are the budgets of %s (%d budgets)'
           % (os.path.relpath(PATHS, TOP), LINE, checked),
           problems + ([fix + '; or the budgets were not lowered with the path (scripts/trace/budgets)']
                       if problems else []))
    result(not refprob, '%s: the page\'s paths are the reference\'s (%s)'
           % (os.path.relpath(PATHS, TOP), os.path.relpath(REFERENCE, TOP)),
           refprob[:8] + (['...'] if len(refprob) > 8 else []) +
           (['after a new trace, refresh the one that is behind: the reference (scripts/trace/gate.py '
             '--budgets scripts/trace/budgets --tdir build/trace --update-reference <release>) or the page ('
             + fix + ')'] if refprob else []))
    print('%d passed, %d failed' % (n - bad, bad))
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    u = sub.add_parser('update')
    u.add_argument('--tdir', default=os.path.join(TOP, 'build', 'trace'))
    u.add_argument('kernels', nargs='*', metavar='RELEASE',
                   help='the releases just traced (default: the newest %s one in TDIR)' % LINE)
    sub.add_parser('write')
    sub.add_parser('check')
    a = p.parse_args()
    if a.cmd == 'update':
        if a.kernels:
            ours = [k for k in a.kernels if gate.line_key(k) == LINE]
            if not ours:
                print('no %s kernel among %s: %s unchanged' % (LINE, ' '.join(a.kernels),
                                                             os.path.relpath(MD, TOP)))
                return 0
            kver = max(ours, key=version_key)
        else:
            kver = newest_release(a.tdir)
        with open(PATHS, 'w') as f:
            f.write(dump_paths(snapshot(a.tdir, kver)))
        print('wrote %s from %s' % (os.path.relpath(PATHS, TOP), os.path.join(a.tdir, kver)))
        write(load_paths())
    elif a.cmd == 'write':
        write(load_paths())
    else:
        return check()
    return 0


if __name__ == '__main__':
    sys.exit(main())
