# Test helpers of LiveCodeBench programs (lib/eval/load_livecodebench.ts), run as the setup of each
# program, in its namespace, after LiveCodeBench's own import_string. Grading follows
# lcb_runner/evaluation/testing_util.py: stdin programs run once per test with that test's input
# on stdin and their stdout captured, and pass when the stripped output lines equal the expected
# ones, line by line, exactly or as lists of Decimals; functional tests call the starter code's
# method (of `Solution()`, else a top-level function) with one JSON value per input line, and pass
# when the result (a tuple read as a list) equals the expected JSON value.
def _lcb_lines(text):
    return [line.strip() for line in text.strip().split("\n")]


def _lcb_same_line(got, want):
    if got == want:
        return True
    from decimal import Decimal, InvalidOperation

    try:
        return [Decimal(x) for x in got.split()] == [Decimal(x) for x in want.split()]
    except (InvalidOperation, ValueError):
        return False


def _lcb_stdin(source, given, expected):
    """Run `source` as a program with stdin `given`; True when its output matches `expected`."""
    import io, sys

    code = compile(source, "<candidate>", "exec")
    saved = sys.stdin, sys.stdout
    sys.stdin, sys.stdout = io.StringIO(given), io.StringIO()
    try:
        exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
        printed = sys.stdout.getvalue()
    except SystemExit:
        printed = sys.stdout.getvalue()
    finally:
        sys.stdin, sys.stdout = saved
    got, want = _lcb_lines(printed), _lcb_lines(expected)
    return len(got) == len(want) and all(_lcb_same_line(g, w) for g, w in zip(got, want))


def _lcb_call(name, given, expected):
    """Call the solution's `name` with the JSON values of `given`'s lines; compare to `expected`."""
    import json

    target = globals().get("Solution")
    method = getattr(target(), name) if target is not None else globals()[name]
    result = method(*[json.loads(line) for line in given.split("\n")])
    if isinstance(result, tuple):
        result = list(result)
    return result == json.loads(expected)
