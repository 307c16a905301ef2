"""Parse-only Python helper for the codeflow filters.

Reads one JSON request per line on stdin and writes one JSON answer per line on stdout, in order.
It only parses candidate code with ``ast`` and ``tokenize``; it never compiles or executes it.

Requests:
  {"id": N, "op": "code_lines", "code": STR}
      -> {"id": N, "ok": true, "codeLines": [0-based line indexes holding a code token],
          "tokenizeError": STR or null}
  {"id": N, "op": "same_ast", "a": STR, "b": STR}
      -> {"id": N, "ok": true, "same": BOOL, "parseError": STR or null}
A request that cannot be served gets {"id": N, "ok": false, "error": STR}.
"""
import ast
import io
import json
import sys
import tokenize

_NON_CODE = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
    tokenize.ENCODING,
}


def code_lines(code):
    """Lines covered by a token other than comments, newlines and indentation."""
    lines = set()
    error = None
    reached = 0  # 1-based last line reached by the tokenizer
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            reached = max(reached, tok.end[0])
            if tok.type in _NON_CODE:
                continue
            lines.update(range(tok.start[0] - 1, tok.end[0]))
    except (tokenize.TokenError, SyntaxError) as e:
        error = "%s: %s" % (type(e).__name__, e)
        # The tokenizer stopped; judge the remaining lines by their text.
        for index, line in enumerate(io.StringIO(code).readlines()):
            if index + 1 > reached:
                stripped = line.strip()
                if stripped and not stripped.startswith("#"):
                    lines.add(index)
    return sorted(lines), error


def _dump(code):
    return ast.dump(ast.parse(code))


def same_ast(a, b):
    """Whether both parse to equal ASTs (comments and formatting ignored)."""
    if a == b:
        return True, None
    try:
        return _dump(a) == _dump(b), None
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        return False, "%s: %s" % (type(e).__name__, e)


def serve(request):
    op = request.get("op")
    if op == "code_lines":
        lines, error = code_lines(request["code"])
        return {"ok": True, "codeLines": lines, "tokenizeError": error}
    if op == "same_ast":
        same, error = same_ast(request["a"], request["b"])
        return {"ok": True, "same": same, "parseError": error}
    return {"ok": False, "error": "unknown op %r" % (op,)}


def main():
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogatepass")
    out = sys.stdout.buffer
    for line in stdin:
        if not line.strip():
            continue
        request_id = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            answer = serve(request)
        except Exception as e:  # answer every request, never die on one
            answer = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        answer["id"] = request_id
        out.write(json.dumps(answer).encode("ascii") + b"\n")
        out.flush()


if __name__ == "__main__":
    main()
