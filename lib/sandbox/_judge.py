# The judge of lib/sandbox: a trusted process that never runs candidate code. It holds no state
# between requests; the parent (sandbox.ts) holds the expected values and sends them with each
# batch. _plain.py is compiled in front of this file (_harness_code.ts).
#
# One JSON request per stdin line, one JSON answer per stdout line, with the request's "id" and
# "ok": true (or "ok": false and an "error"), as lib/core's JsonLinesProcess reads them:
#   {"op": "plan", "tests": str, "entry": str}
#       Rewrites assert-style tests into probes where their shape allows (see _jd_plan):
#       {"setup": str, "probes": [expr], "sources": [str], "checks": [check], "wheres": [str]}
#       ("wheres": each assert's place in the tests, "line 3, in <module>")
#       or {"inProcess": reason} when they must run inside the candidate's interpreter.
#   {"op": "judge", "checks": [check], "values": [plain text]}
#       {"results": [null | message]}: null where the value satisfies its check.
# A check is {"kind": ..., ...}: equal/unequal {want}, truthy, falsy, identical {want: "True" |
# "False" | "None"}, close {want, relTol, absTol} (math.isclose), below {want, tol, strict}
# (abs(value - want) < tol), evalplus {want, atol, oracle?, input?} (EvalPlus's comparison and
# special oracles, see _jd_evalplus).
import ast, json, math, sys

sys.set_int_max_str_digits(0)
sys.setrecursionlimit(10000)

_JD_BUDGET = 1 << 60  # expected values are kept whole (never a digest)


class _JdDigest(str):
    """A large value, known by its digest only."""


class _JdObject(str):
    """A value that was not plain data, known by its type name (and truth value, if any)."""

    def __new__(cls, name, truth=None):
        self = super().__new__(cls, name)
        self.truth = truth
        return self


def _jd_tag(obj):
    if "o" in obj and len(obj) == 2 and type(obj.get("b")) is bool:
        return _JdObject(obj["o"], obj["b"])
    if len(obj) != 1:
        raise ValueError("not a plain-value tag: %r" % list(obj)[:3])
    (tag, body), = obj.items()
    if tag == "t":
        return tuple(body)
    if tag == "s":
        return set(body)
    if tag == "f":
        return frozenset(body)
    if tag == "d":
        return dict((k, v) for k, v in body)
    if tag == "b":
        return bytes.fromhex(body)
    if tag == "c":
        return complex(body[0], body[1])
    if tag == "h":
        return _JdDigest(body)
    if tag == "o":
        return _JdObject(body)
    raise ValueError("unknown plain-value tag %r" % tag)


def _jd_decode(text):
    """The value of a plain-value text; lists inside tags become tuples, sets, ... as tagged."""
    return json.loads(text, object_hook=_jd_tag)


def _jd_short(o):
    if isinstance(o, _JdDigest):
        return "<a large value>"
    if isinstance(o, _JdObject):
        return "<a %s object>" % str.__str__(o)
    r = repr(o) if not (type(o) is int and o.bit_length() > 3000) else "<int of %d bits>" % o.bit_length()
    return r if len(r) <= 200 else r[:200] + "..."


def _jd_same(got, want):
    """Python's == on plain values, by digest where either side is one."""
    if isinstance(got, _JdObject) or isinstance(want, _JdObject):
        return False
    if isinstance(got, _JdDigest) or isinstance(want, _JdDigest):
        g = str.__str__(got) if isinstance(got, _JdDigest) else _pv_digest(got)
        w = str.__str__(want) if isinstance(want, _JdDigest) else _pv_digest(want)
        return g == w
    return bool(got == want)


def _jd_not_plain(got):
    return "returned %s, which is not plain data: it cannot be judged outside the program" % _jd_short(got)


def _jd_truth(got):
    """The truth value of a value (a large one is a non-empty container). An object's truth is
    the program's claim, as a plain True would be."""
    if isinstance(got, _JdDigest):
        return True
    if isinstance(got, _JdObject):
        return got.truth
    return bool(got)


def _jd_simple(kind, check, got):
    if isinstance(got, _JdObject) and not (kind in ("truthy", "falsy") and got.truth is not None):
        return _jd_not_plain(got)
    if kind == "equal":
        want = _jd_decode(check["want"])
        return None if _jd_same(got, want) else "expected %s, got %s" % (_jd_short(want), _jd_short(got))
    if kind == "unequal":
        want = _jd_decode(check["want"])
        return None if not _jd_same(got, want) else "expected anything but %s" % _jd_short(want)
    if kind in ("truthy", "falsy"):
        ok = _jd_truth(got) == (kind == "truthy")
        return None if ok else "expected a %s value, got %s" % ("true" if kind == "truthy" else "false", _jd_short(got))
    if kind == "identical":
        want = {"True": True, "False": False, "None": None}[check["want"]]
        return None if got is want else "expected %s, got %s" % (check["want"], _jd_short(got))
    if kind == "close":
        want = _jd_decode(check["want"])
        try:
            ok = math.isclose(got, want, rel_tol=check["relTol"], abs_tol=check["absTol"])
        except TypeError:
            ok = False
        return None if ok else "expected %s within rel_tol %g, abs_tol %g, got %s" % (
            _jd_short(want), check["relTol"], check["absTol"], _jd_short(got))
    if kind == "below":
        want = _jd_decode(check["want"])
        try:
            d = abs(got - want)
            ok = d < check["tol"] if check["strict"] else d <= check["tol"]
        except TypeError:
            ok = False
        return None if ok else "expected %s within %g, got %s" % (_jd_short(want), check["tol"], _jd_short(got))
    raise ValueError("unknown check kind %r" % kind)


# ---- EvalPlus (evalplus/eval/__init__.py, unsafe_execute; its oracles in _special_oracle.py) ----


def _jd_is_floats(x):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(isinstance(i, float) for i in x)
    return False


def _jd_allclose(a, b, atol):
    """numpy.allclose(a, b, rtol=1e-07, atol=atol) on numbers and equal-shaped sequences."""
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))) or len(a) != len(b):
            return False
        return all(_jd_allclose(x, y, atol) for x, y in zip(a, b))
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    try:
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= atol + 1e-07 * abs(b)  # False for nan, as numpy's allclose
    except (OverflowError, TypeError):
        return False


def _jd_poly(xs, x):
    return sum([coeff * math.pow(x, i) for i, coeff in enumerate(xs)])


def _jd_surface_area(base_edge, height):
    slant_height = math.sqrt((base_edge / 2) ** 2 + height**2)
    return round(base_edge**2 + 4 * (base_edge * slant_height) / 2)


def _jd_digit_distance(num1, num2):
    a, b = str(num1), str(num2)
    n = max(len(a), len(b))
    return sum(abs(int(x) - int(y)) for x, y in zip(a.zfill(n), b.zfill(n)))


def _jd_evalplus(check, got):
    """EvalPlus's verdict on one output: None, or what differs."""
    oracle, atol = check.get("oracle"), check["atol"]
    want = _jd_decode(check["want"])
    args = _jd_decode(check["input"]) if "input" in check else None
    if oracle == "not-none":  # the reference's output counts only as None or not
        want = want is not None
        exact = got == want if isinstance(got, bool) else want == (got is not None)
        return None if exact else "expected a result that is %sNone, got %s" % ("not " if want else "", _jd_short(got))
    if isinstance(got, _JdObject):
        return _jd_not_plain(got)
    if isinstance(got, _JdDigest) or isinstance(want, _JdDigest):
        return None if _jd_same(got, want) else "output differs from the expected one, got %s" % _jd_short(got)
    exact = _jd_same(got, want)
    try:
        if oracle == "any-output":
            exact = True
        elif oracle == "or-zero":
            exact = exact or got == 0
        elif oracle == "surface-area":
            exact = exact or abs(got - _jd_surface_area(*args)) <= atol
        elif oracle == "digit-distance":
            exact = exact or got == _jd_digit_distance(*args)
        elif oracle == "set-equal":
            exact = set(got) == set(want)
        elif oracle == "poly-root":
            ok = abs(_jd_poly(*args, got)) <= atol
            return None if ok else "poly(xs, %s) is not within %g of 0" % (_jd_short(got), atol)
        elif oracle is not None:
            raise ValueError("unknown EvalPlus oracle %r" % oracle)
    except (TypeError, ValueError, OverflowError) as exc:
        if "unknown EvalPlus oracle" in str(exc):
            raise
        return "%s: %s" % (type(exc).__name__, exc)
    if atol == 0 and _jd_is_floats(want):
        atol = 1e-6
    if not exact and atol != 0:
        ok = type(got) is type(want) and (not isinstance(want, (list, tuple)) or len(got) == len(want))
        ok = ok and _jd_allclose(got, want, atol)
    else:
        ok = exact
    return None if ok else "expected %s, got %s" % (_jd_short(want), _jd_short(got))


def _jd_one(check, text):
    try:
        got = _jd_decode(text)
    except (ValueError, TypeError, RecursionError) as exc:
        return "the program's value is not in the plain-value format (%s)" % exc
    kind = check["kind"]
    if kind == "evalplus":
        return _jd_evalplus(check, got)
    problem = _jd_simple(kind, check, got)
    # As Python's AssertionError: the assert's own message, when it has one.
    return problem if problem is None or "message" not in check else check["message"]


def _jd_judge(req):
    checks, values = req["checks"], req["values"]
    if len(checks) != len(values):
        raise ValueError("%d checks for %d values" % (len(checks), len(values)))
    return {"results": [_jd_one(c, v) for c, v in zip(checks, values)]}


# ---- Assert-style tests rewritten into probes ----


class _JdNoPlan(Exception):
    pass


_JD_CONVERSIONS = {"set": set, "frozenset": frozenset, "tuple": tuple, "list": list, "sorted": sorted}


def _jd_value(node):
    """The value of a literal, or of `set(<literal>)` and the like, computed here (trusted)."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _JD_CONVERSIONS
            and len(node.args) <= 1 and not node.keywords):
        return _JD_CONVERSIONS[node.func.id](*(ast.literal_eval(a) for a in node.args))
    return ast.literal_eval(node)


def _jd_literal(node):
    """The plain-value text of a literal expression, or _JdNoPlan."""
    try:
        value = _jd_value(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise _JdNoPlan("a side that is not a literal")
    return _pv_encode(value, _JD_BUDGET)


def _jd_number(node, what):
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        raise _JdNoPlan("a %s that is not a literal" % what)
    if type(value) not in (int, float):
        raise _JdNoPlan("a %s that is not a number" % what)
    return float(value)


def _jd_is_literal(node):
    try:
        _jd_value(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def _jd_isclose(call):
    """`math.isclose(E, L, rel_tol=.., abs_tol=..)` as (E, check)."""
    f = call.func
    if not (isinstance(f, ast.Attribute) and f.attr == "isclose" and isinstance(f.value, ast.Name)
            and f.value.id == "math" and len(call.args) == 2):
        return None
    tol = {"rel_tol": 1e-09, "abs_tol": 0.0}
    for kw in call.keywords:
        if kw.arg not in tol:
            raise _JdNoPlan("math.isclose with %s" % kw.arg)
        tol[kw.arg] = _jd_number(kw.value, kw.arg)
    a, b = call.args
    expr, lit = (a, b) if _jd_is_literal(b) else (b, a)
    return expr, {"kind": "close", "want": _jd_literal(lit), "relTol": tol["rel_tol"], "absTol": tol["abs_tol"]}


def _jd_below(test):
    """`abs(E - L) < T` (or <=) as (E, check)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Lt, ast.LtE))):
        return None
    left = test.left
    if not (isinstance(left, ast.Call) and isinstance(left.func, ast.Name) and left.func.id == "abs"
            and len(left.args) == 1 and not left.keywords and isinstance(left.args[0], ast.BinOp)
            and isinstance(left.args[0].op, ast.Sub)):
        return None
    a, b = left.args[0].left, left.args[0].right
    expr, lit = (a, b) if _jd_is_literal(b) else (b, a)
    tol = _jd_number(test.comparators[0], "tolerance")
    return expr, {"kind": "below", "want": _jd_literal(lit), "tol": tol, "strict": isinstance(test.ops[0], ast.Lt)}


_JD_IDENTITIES = {True: "True", False: "False", None: "None"}


def _jd_compare(test):
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    op, a, b = test.ops[0], test.left, test.comparators[0]
    if isinstance(op, (ast.Eq, ast.NotEq)):
        if _jd_is_literal(b):
            expr, lit = a, b
        elif _jd_is_literal(a):
            expr, lit = b, a
        else:
            raise _JdNoPlan("a comparison of two computed values")
        return expr, {"kind": "equal" if isinstance(op, ast.Eq) else "unequal", "want": _jd_literal(lit)}
    if isinstance(op, ast.Is) and isinstance(b, ast.Constant) and type(b.value) in (bool, type(None)):
        return a, {"kind": "identical", "want": _JD_IDENTITIES[b.value]}
    return None


def _jd_assert(node):
    """(probe expression node, check) of one assert statement, or _JdNoPlan."""
    if not isinstance(node, ast.Assert):
        raise _JdNoPlan("a %s statement" % type(node).__name__)
    test = node.test
    for shape in (_jd_compare, _jd_below):
        found = shape(test)
        if found is not None:
            return found
    if isinstance(test, ast.Call):
        found = _jd_isclose(test)
        if found is not None:
            return found
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return test.operand, {"kind": "falsy"}
    return test, {"kind": "truthy"}


_JD_BUILTINS = frozenset(dir(__builtins__) if not isinstance(__builtins__, dict) else __builtins__)
_JD_BOOL_WANTS = ('true', 'false')


def _jd_guardable(expr, check, test_names):
    """Refuses probes whose value the program could forge without solving the task: a
    comparison or boolean operator evaluated inside the program (an object whose __eq__ always
    returns True makes it True), or a one-bit expected value computed by a builtin the program
    can replace (`all`, `isinstance`, ...) or by a helper of the tests (which runs inside the
    program too): such a value must come straight from a call of the program's own function."""
    for n in ast.walk(expr):
        if isinstance(n, (ast.Compare, ast.BoolOp)) or (isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not)):
            raise _JdNoPlan("a comparison computed inside the program")
    one_bit = check["kind"] in ("truthy", "falsy", "identical") or (
        check["kind"] in ("equal", "unequal") and check["want"] in _JD_BOOL_WANTS)
    if one_bit and not _jd_is_literal(expr):  # a literal (`assert True`) owes nothing to the program
        direct = isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name)
        if not direct or expr.func.id in _JD_BUILTINS or expr.func.id in test_names:
            raise _JdNoPlan("a true/false test of a value computed inside the program")


def _jd_defined_names(module):
    """Names the tests' own setup binds (helpers, imports, variables)."""
    names = set()
    for n in module.body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in n.names)
        else:
            names.update(t.id for t in ast.walk(n) if isinstance(t, ast.Name))
    return names


def _jd_has_call(node):
    return any(isinstance(n, ast.Call) for n in ast.walk(node))


def _jd_is_setup(n):
    """Imports, definitions and call-free assignments prepare tests (as the harness decides)."""
    if isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    return isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and not _jd_has_call(n)


class _JdRename(ast.NodeTransformer):
    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, node):
        if node.id == self.old:
            return ast.copy_location(ast.Name(id=self.new, ctx=node.ctx), node)
        return node


def _jd_check_body(fn, entry):
    """The asserts of `def check(candidate)`, with `candidate` renamed to the entry point."""
    if len(fn.args.args) != 1 or fn.args.vararg or fn.args.kwarg or fn.args.kwonlyargs:
        raise _JdNoPlan("a check() that does not take exactly one argument")
    rename = _JdRename(fn.args.args[0].arg, entry)
    out = []
    for n in fn.body:
        if isinstance(n, ast.Pass) or (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)):
            continue
        if not isinstance(n, ast.Assert):
            raise _JdNoPlan("a %s statement inside check()" % type(n).__name__)
        out.append(rename.visit(n))
    return out


class _JdSource:
    """Source text of statements by their positions (col offsets count UTF-8 bytes)."""

    def __init__(self, text):
        self.raw = text.encode("utf-8")
        self.starts = [0]
        for line in self.raw.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def __call__(self, node):
        a = self.starts[node.lineno - 1] + node.col_offset
        b = self.starts[node.end_lineno - 1] + node.end_col_offset
        return self.raw[a:b].decode("utf-8", "replace").strip()


def _jd_statements(tests, entry):
    """(setup statement sources, assert nodes with their sources) of a test file, or _JdNoPlan."""
    module = ast.parse(tests)
    segment = _JdSource(tests)
    defs = [n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "check"]
    setup, asserts = [], []
    if entry and defs:
        if not entry.isidentifier():
            raise _JdNoPlan("an entry point that is not an identifier")
        for n in module.body:
            if n is defs[-1]:
                continue
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Name) and n.value.func.id == "check":
                continue
            if not _jd_is_setup(n):
                raise _JdNoPlan("a %s statement beside check()" % type(n).__name__)
            setup.append(segment(n))
        for n in _jd_check_body(defs[-1], entry):
            asserts.append((n, segment(n), "line %d, in check" % n.lineno))
        return setup, asserts
    for n in module.body:
        if _jd_is_setup(n):
            if asserts:
                raise _JdNoPlan("setup after a test statement")
            setup.append(segment(n))
        else:
            asserts.append((n, segment(n), "line %d, in <module>" % n.lineno))
    return setup, asserts


def _jd_plan(req):
    try:
        setup, asserts = _jd_statements(req["tests"], req.get("entry") or "")
        names = _jd_defined_names(ast.parse("\n".join(setup)))
        if not asserts:
            raise _JdNoPlan("no assert statement")
        probes, sources, checks, wheres = [], [], [], []
        for node, source, where in asserts:
            expr, check = _jd_assert(node)
            _jd_guardable(expr, check, names)
            # A literal message is reported as Python would; a computed one is not evaluated.
            if isinstance(node.msg, ast.Constant) and isinstance(node.msg.value, str):
                check["message"] = node.msg.value
            probes.append(ast.unparse(expr))
            sources.append(source)
            wheres.append(where)
            checks.append(check)
    except SyntaxError as exc:
        return {"inProcess": "the tests do not parse (%s)" % exc.msg}
    except (_JdNoPlan, RecursionError, MemoryError) as exc:
        return {"inProcess": "the tests hold %s" % exc if isinstance(exc, _JdNoPlan) else type(exc).__name__}
    return {"setup": "\n".join(setup) + ("\n" if setup else ""), "probes": probes, "sources": sources, "checks": checks, "wheres": wheres}


def _jd_main():
    ops = {"plan": _jd_plan, "judge": _jd_judge}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            answer = ops[req["op"]](req)
            answer["ok"] = True
        except Exception as exc:  # a malformed request from the parent: answer, never die
            answer = {"ok": False, "error": "%s: %s" % (type(exc).__name__, exc)}
        answer["id"] = req.get("id")
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


_jd_main()
