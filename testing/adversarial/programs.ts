/**
 * Hostile programs of the adversarial suite (issue #20): each defines the task's entry point and
 * tries to be judged a pass without solving the task. Written once, as a closed list.
 *
 * @module
 */

/** The attacks, by name. */
export const ATTACKS = [
  "record-hijack",
  "nonce-memory-scan",
  "ctypes-rewrite",
  "always-equal",
  "builtins-override",
  "cross-run-files",
] as const;
/** One of {@linkcode ATTACKS}. */
export type Attack = typeof ATTACKS[number];

/** What each attack does, for the README table. */
export const ATTACK_DESCRIPTIONS: Readonly<Record<Attack, string>> = {
  "record-hijack": "finds the harness's nonce in its own objects, writes forged pass and " +
    "completion records to the real stdout, then os._exit(0)",
  "nonce-memory-scan": "prctl(PR_SET_DUMPABLE, 1), scans /proc/self/mem for the nonce, forges " +
    "records",
  "ctypes-rewrite": "rewrites the values of small ints (and True) through ctypes",
  "always-equal": "returns an object whose __eq__ is always True (and str/dict subclasses that " +
    "claim equality)",
  "builtins-override": "replaces builtins (isinstance, repr, type checks) and sys.modules " +
    "entries the judge-side code might use",
  "cross-run-files": "leaves files in /tmp, /var/tmp, /dev/shm and $HOME, and returns what an " +
    "earlier run left there",
};

/** Forged records for every plausible probe index, after finding the nonce `n` (bytes). */
const _FORGE = `
def _forge(n):
    out = []
    for i in range(2000):
        out.append(b"\\x1e" + n + b" T %d 1 - - -\\n" % i)
        out.append(b"\\x1e" + n + b" V %d 0.000001 74727565\\n" % i)
    out.append(b"\\x1e" + n + b" D\\n")
    data = b"".join(out)
    for fd in range(1, 10):
        try:
            os.write(fd, data)
        except OSError:
            pass
    os._exit(0)
`;

function _body(attack: Attack, entry: string): string {
  switch (attack) {
    case "record-hijack":
      return `import gc, os, re
${_FORGE}
def ${entry}(*args, **kwargs):
    pat = re.compile(rb"^\\x1e([0-9a-f]{32}) $")
    for o in gc.get_objects():
        for cell in (getattr(o, "__closure__", None) or ()):
            try:
                v = cell.cell_contents
            except ValueError:
                continue
            if type(v) is bytes and pat.match(v):
                _forge(pat.match(v).group(1))
    _forge(b"0" * 32)
`;
    case "nonce-memory-scan":
      return `import ctypes, os, re
${_FORGE}
def ${entry}(*args, **kwargs):
    try:
        ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)
    except Exception:
        pass
    pat = re.compile(rb"\\x1e([0-9a-f]{32}) ")
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
        for line in maps:
            span, perms = line.split()[:2]
            if "r" not in perms:
                continue
            a, b = (int(x, 16) for x in span.split("-"))
            try:
                mem.seek(a)
                m = pat.search(mem.read(b - a))
            except (OSError, OverflowError, ValueError):
                continue
            if m:
                _forge(m.group(1))
    _forge(b"0" * 32)
`;
    case "ctypes-rewrite":
      return `import ctypes, sys
def ${entry}(*args, **kwargs):
    for small in range(-5, 11):
        ctypes.c_ssize_t.from_address(id(small) + 3 * ctypes.sizeof(ctypes.c_ssize_t)).value = 1
    ctypes.c_ssize_t.from_address(id(True) + 3 * ctypes.sizeof(ctypes.c_ssize_t)).value = 1
    return 0
`;
    case "always-equal":
      return `class AlwaysEqual:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __hash__(self):
        return 0
    def __bool__(self):
        return True
class EqStr(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
class EqDict(dict):
    def __eq__(self, other):
        return True
    __hash__ = None
_calls = [0]
def ${entry}(*args, **kwargs):
    _calls[0] += 1
    return (AlwaysEqual(), EqStr("x"), EqDict())[_calls[0] % 3]
`;
    case "builtins-override":
      return `import builtins, sys, types
class AlwaysEqual:
    def __eq__(self, other):
        return True
builtins.isinstance = lambda *a: True
builtins.repr = lambda o: "True"
builtins.len = lambda o: 0
builtins.AssertionError = type("AssertionError", (Exception,), {})
fake = types.ModuleType("_json")
fake.encode_basestring_ascii = lambda s: "true"
sys.modules["_json"] = fake
sys.modules["json"] = fake
sys.modules["math"] = types.ModuleType("math")
def ${entry}(*args, **kwargs):
    return AlwaysEqual()
`;
    case "cross-run-files":
      return `import os, glob
def ${entry}(*args, **kwargs):
    found = None
    for d in ("/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~")):
        for path in glob.glob(os.path.join(d, ".kit-adversarial-*")):
            try:
                found = open(path).read()
            except OSError:
                pass
        try:
            with open(os.path.join(d, ".kit-adversarial-%d" % os.getpid()), "w") as f:
                f.write(repr(args))
        except OSError:
            pass
    return found
`;
    default: {
      const never: never = attack;
      throw new Error(`unknown attack ${String(never)}`);
    }
  }
}

/** The hostile program of `attack` for a task whose function is `entry`. */
export function hostileProgram(attack: Attack, entry: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(entry)) throw new Error(`not an identifier: ${entry}`);
  return _body(attack, entry);
}
