# Differential-testing helpers of lib/eval for the EvalPlus sets (HumanEval+, MBPP+).
# Spliced into the sandbox job's setup by plus_program.ts, before the candidate runs. Rules follow
# EvalPlus's evaluator: an output matches when `out == exp`; for float outputs (a float, or a
# list/tuple of floats) with atol 0, atol becomes 1e-6; with atol != 0 a non-equal output must have
# the expected type and length and be numpy.allclose(out, exp, rtol=1e-07, atol=atol) (written here
# without numpy). An output that is not plain data (for example an re.Match) is compared by
# "is not None", as EvalPlus does for such tasks. Large outputs are compared by a type-aware digest
# (ints and integral floats alike, dict and set order ignored) so they never have to be stored;
# for a huge float output (over 64x the budget) that means exact, not atol, comparison. Under a
# dataset's unordered-output rule a list/tuple output is compared as a set (EvalPlus's MBPP+ rule).
import sys as _ep_sys, json as _ep_json, copy as _ep_copy, math as _ep_math
import signal as _ep_signal, time as _ep_time, hashlib as _ep_hashlib
from array import array as _ep_array
from itertools import chain as _ep_chain
from marshal import dumps as _ep_marshal

_ep_sys.set_int_max_str_digits(0)


def _ep_deep_tuple(x):
    return tuple(_ep_deep_tuple(i) for i in x) if isinstance(x, list) else x


def _ep_is_floats(x):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)):
        return all(isinstance(i, float) for i in x)
    return False


def _ep_kind(x, budget):
    """'small' (plain data, short or with floats), 'large' (long, digested) or 'object'."""
    stack, cost, has_float, cap = [x], 0, False, 64 * budget
    while stack:
        if cost > cap:
            return "large"  # too long to store whatever it holds
        o = stack.pop()
        t = type(o)
        if t is int:
            cost += 1 + (o.bit_length() >> 8)
        elif t is float or t is complex:
            cost += 1
            has_float = True
        elif t is str or t is bytes:
            cost += 1 + (len(o) >> 5)
        elif t is bool or o is None:
            cost += 1
        elif t in (list, tuple, set, frozenset):
            cost += 1
            stack.extend(o)
        elif t is dict:
            cost += 1
            stack.extend(o.keys())
            stack.extend(o.values())
        else:
            return "object"
    # Float outputs are stored (their comparison needs the values) up to 64x the budget.
    return "small" if cost <= budget or has_float else "large"


_EP_NUMBER_TYPES = {int, float, bool}
_EP_EXACT = 2**53  # ints up to this size convert to float exactly


def _ep_norm(o):
    """A structure whose marshal bytes are canonical for `==`: 1, 1.0 and True alike, no set order."""
    t = type(o)
    if t is bool:
        return int(o)
    if t is int:
        return o
    if t is float:
        return int(o) if o.is_integer() else o
    if t is str or t is bytes or t is complex or o is None:
        return o
    if t is list:
        return [_ep_norm(i) for i in o]
    if t is tuple:
        return tuple(_ep_norm(i) for i in o)
    if t is set or t is frozenset:
        return ("\x00set",) + tuple(sorted(_ep_digest(i) for i in o))
    if t is dict:
        return ("\x00dict",) + tuple(sorted(_ep_digest(k) + _ep_digest(v) for k, v in o.items()))
    raise TypeError("cannot digest %s" % t.__name__)


def _ep_slice_bytes(part):
    """Canonical bytes of a list slice: doubles for plain numbers, else the marshalled normal form."""
    types = set(map(type, part))
    if types <= _EP_NUMBER_TYPES:
        exact = types == {float}
        if not exact:
            try:
                exact = -_EP_EXACT <= min(part) and max(part) <= _EP_EXACT  # False with nan
            except TypeError:
                exact = False
        if exact:  # as doubles, equal numbers (1 and 1.0) give equal bytes
            return b"D" + _ep_array("d", part).tobytes()
    # marshal format 0 (no back-references or interned-string tables, so equal values give equal
    # bytes whatever their identity) runs at C speed.
    if _ep_is_normal(part):
        return b"M" + _ep_marshal(part, 0)
    return b"M" + _ep_marshal(_ep_norm(part), 0)


_EP_NORMAL_LEAVES = {str, int, bytes, complex, type(None)}
_EP_SEQUENCES = {list, tuple}


def _ep_is_normal(part):
    """Whether `part` holds only lists, tuples, strings and ints (so it is its own normal form)."""
    level = part
    while level:
        types = set(map(type, level))
        if not types <= _EP_NORMAL_LEAVES | _EP_SEQUENCES:
            return False
        if not types & _EP_SEQUENCES:
            return True
        level = list(_ep_chain.from_iterable(x for x in level if type(x) in _EP_SEQUENCES))
    return True


def _ep_feed(h, o):
    t = type(o)
    if t is bool or t is int or (t is float and o.is_integer()):
        n = int(o)
        h.update(b"i%d:" % n.bit_length())
        h.update(n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True))
    elif t is str:
        b = o.encode("utf-8", "surrogatepass")
        h.update(b"s%d:" % len(b))
        h.update(b)
    elif t is list or t is tuple:
        h.update(b"%s%d:" % (b"l" if t is list else b"t", len(o)))
        for s in range(0, len(o), 4096):  # bounded slices keep memory flat
            h.update(_ep_slice_bytes(o[s : s + 4096]))
    else:
        h.update(b"m" + _ep_marshal(_ep_norm(o), 0))


def _ep_digest(o):
    h = _ep_hashlib.sha256()
    _ep_feed(h, o)
    return h.hexdigest()


def _ep_encode(o, budget):
    """The stored form of an expected output: '=' + repr, '#' + digest, or '?' + is-not-None."""
    kind = _ep_kind(o, budget)
    if kind == "small":
        return "=" + repr(o)
    if kind == "large":
        try:
            return "#" + _ep_digest(o)
        except TypeError:
            pass
    return "?" + ("1" if o is not None else "0")


_EP_EVAL_NAMES = {"__builtins__": {}, "inf": float("inf"), "nan": float("nan"), "set": set, "frozenset": frozenset}


def _ep_close(a, b, atol):
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))) or len(a) != len(b):
            return False
        return all(_ep_close(x, y, atol) for x, y in zip(a, b))
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    try:
        if _ep_math.isinf(a) or _ep_math.isinf(b):
            return a == b
        return abs(a - b) <= atol + 1e-07 * abs(b)  # False for nan, as numpy's allclose
    except (OverflowError, TypeError):
        return False


def _ep_short(o):
    try:
        r = repr(o) if not (type(o) is int and o.bit_length() > 3000) else "<int of %d bits>" % o.bit_length()
    except BaseException:
        r = "<unprintable %s>" % type(o).__name__
    return r if len(r) <= 200 else r[:200] + "..."


def _ep_mismatch(out, stored, atol):
    """None when `out` matches the stored expected output, else a description of the difference."""
    tag, body = stored[0], stored[1:]
    if tag == "?":
        want = body == "1"
        got = out if isinstance(out, bool) else out is not None
        return None if got == want else "expected a result that is %sNone, got %s" % ("not " if want else "", _ep_short(out))
    if tag == "#":
        try:
            same = _ep_digest(out) == body
        except BaseException:
            same = False
        return None if same else "output differs from the expected one, got %s" % _ep_short(out)
    exp = eval(body, _EP_EVAL_NAMES)
    try:
        exact = bool(out == exp)
    except BaseException:
        exact = False
    if atol == 0 and _ep_is_floats(exp):
        atol = 1e-6
    if not exact and atol != 0:
        ok = type(out) is type(exp) and (not isinstance(exp, (list, tuple)) or len(out) == len(exp))
        ok = ok and _ep_close(out, exp, atol)
    else:
        ok = exact
    return None if ok else "expected %s, got %s" % (_ep_short(exp), _ep_short(out))


def _ep_on_alarm(signum, frame):
    raise TimeoutError("time limit exceeded")


class _EpSink:
    def write(self, s):
        return len(s)

    def flush(self):
        pass


def _ep_call(fn, args, limit):
    """fn(*deepcopy(args)) with its output swallowed and a wall-clock limit (0: none)."""
    args = _ep_copy.deepcopy(args)
    out_, err_ = _ep_sys.stdout, _ep_sys.stderr
    _ep_sys.stdout = _ep_sys.stderr = _EpSink()
    if limit > 0:
        _ep_signal.signal(_ep_signal.SIGALRM, _ep_on_alarm)
        _ep_signal.setitimer(_ep_signal.ITIMER_REAL, limit)
    try:
        return fn(*args)
    finally:
        if limit > 0:
            _ep_signal.setitimer(_ep_signal.ITIMER_REAL, 0)
        _ep_sys.stdout, _ep_sys.stderr = out_, err_


def _ep_unordered(out, unordered):
    """Under the unordered-output rule a list or tuple output is compared as a set (EvalPlus)."""
    if unordered and type(out) in (list, tuple):
        try:
            return set(out)
        except TypeError:
            return out
    return out


def _ep_oracle(fn, inputs, budget, marker, unordered=False):
    """Print the encoded outputs and times of the reference solution between two markers."""
    encoded, times = [], []
    for args in inputs:
        start = _ep_time.perf_counter()
        out = _ep_call(fn, args, 0)
        times.append(round(_ep_time.perf_counter() - start, 6))
        encoded.append(_ep_encode(_ep_unordered(out, unordered), budget))
    payload = _ep_json.dumps({"expected": encoded, "seconds": times})
    _ep_sys.stdout.write("\n" + marker + payload + marker + "\n")
    _ep_sys.stdout.flush()


_EP_STATE = [None]


def _ep_check(fn, start, end):
    """Test inputs [start, end). After a failure every later range fails at once (fast check)."""
    if _EP_STATE[0] is not None:
        raise AssertionError("not run: input #%d failed before" % _EP_STATE[0])
    for i in range(start, end):
        try:
            out = _ep_unordered(_ep_call(fn, _EP_INPUTS[i], _EP_LIMITS[i]), _EP_UNORDERED)
            problem = _ep_mismatch(out, _EP_EXPECTED[i], _EP_ATOL)
        except BaseException:
            _EP_STATE[0] = i
            raise
        if problem is not None:
            _EP_STATE[0] = i
            raise AssertionError("input #%d %s: %s" % (i, _ep_short(_EP_INPUTS[i]), problem))
