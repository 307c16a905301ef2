# Trusted test harness of lib/sandbox. It is compiled and marshalled once per interpreter, and
# each run starts `python3 -I -S -c <bootstrap>` that loads it from stdin (_harness_code.ts).
#
# Protocol. After the marshalled harness, stdin carries (or, under the zygote, the global
# `_SANDBOX_INPUT` holds) one header line
#   "<nonce> <uid> <gid> <cpu_s> <as_bytes> <nproc> <fsize> <nofile> <site> <budget> <quiet>
#    <n_setup> <n_code> <n_tests> <n_entry> <n_probes> <n_unit> <n_sites>\n"
# followed by the UTF-8 bytes of setup, candidate code, tests, entry point, probes (each
# "<seconds>\x01<expression>", joined by NUL), the unittest class of the tests (empty: the tests
# are statements) and the site-packages folders to add (joined by NUL).
#
# With a unittest class, every top-level statement of the tests is setup and each `test*` method
# of that class (and of its bases defined in the tests) is one test; the class's suite runs once,
# as `unittest` runs it (setUpClass, sorted method names), with the program's Python-level output
# swallowed (as bigcodebench's evaluator does). Records go to a private duplicate of stdout, each
# "\x1e<nonce> <kind> <fields...>\n" with text fields hex-encoded:
#   P <count> <hex sources joined by NUL>   plan of in-process tests, BEFORE untrusted code runs
#   T <index> <1|0> <type> <message> <tb>   one per in-process test
#   V <index> <seconds> <hex plain value>   one per probe: its value, in _plain.py's format
#   X <index> <seconds> <type> <message> <tb>   a probe raised (TimeoutError past its seconds)
#   E <stage> <type> <message> <tb>         setup, candidate or tests could not be run
#   D                                       every planned test and probe ran
# Probes carry no verdict: the parent hands their values to the judge (_judge.py), a process that
# never runs candidate code and alone holds the expected values. A candidate that owns this
# interpreter can forge any record, so the in-process tests (T records) keep the weaker guarantee
# of any in-process harness: code that walks frames or gc objects finds the nonce, a trace
# function can skip statements, and an object whose __eq__ always returns True satisfies
# `assert f(x) == y`. For probes a forged record only claims a value, which the judge compares.
def _harness(data):
    import sys, os, builtins, resource

    read, write, _exit = os.read, os.write, os._exit
    if data is None:  # spawned interpreter: the input follows the harness on stdin
        chunks = []
        while True:
            chunk = read(0, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        data = b"".join(chunks)
        del chunks
    head, _, body = data.partition(b"\n")
    fields = head.split()
    nonce = fields[0]
    uid, gid, cpu, mem, nproc, fsize, nofile, site, budget, quiet = (int(x) for x in fields[1:11])
    sizes = [int(x) for x in fields[11:18]]
    texts, pos = [], 0
    for n in sizes:
        texts.append(body[pos : pos + n].decode("utf-8"))
        pos += n
    setup_src, code_src, tests_src, entry, probes_src, unit, sites_src = texts
    del data, body, head, fields, texts
    if sites_src:  # trusted folders of packages (their .pth files run, as at start-up)
        import site as site_module

        for folder in sites_src.split("\x00"):
            if folder not in sys.path:
                site_module.addsitedir(folder)

    # stdin is consumed: untrusted code reads EOF from /dev/null.
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    out = os.dup(1)  # private record channel; not inherited by children (O_CLOEXEC)

    BaseException_, SyntaxError_, exec_, compile_ = BaseException, SyntaxError, exec, compile
    eval_ = eval
    type_, str_, len_, isinstance_, memoryview_ = type, str, len, isinstance, memoryview
    settrace, setprofile = sys.settrace, sys.setprofile
    stdout_obj, stderr_obj = sys.stdout, sys.stderr
    prefix = b"\x1e" + nonce + b" "

    encode_, hex_ = str.encode, bytes.hex

    def hx(text):
        # Unbound base-class methods: a str subclass from untrusted code cannot inject fields.
        return hex_(encode_(text, "utf-8", "replace")) or "-"

    getpid, main_pid = os.getpid, os.getpid()

    def emit(*parts):
        if getpid() != main_pid:  # a forked child of the program: it never reports
            _exit(0)
        line = prefix + " ".join(parts).encode("ascii") + b"\n"
        view = memoryview_(line)
        while view:
            view = view[write(out, view) :]

    def finish(*record):
        """Flushes the program's buffered output, writes the last record and exits at once."""
        if getpid() != main_pid:
            _exit(0)
        settrace(None)
        setprofile(None)
        for stream in (stdout_obj, stderr_obj):
            try:
                stream.flush()
            except BaseException_:
                pass
        emit(*record)
        _exit(0)

    def describe(exc, filenames):
        """Type, message and the last 10 traceback lines of exc (frames of our sources only)."""
        try:
            name = type_(exc).__name__
            if not isinstance_(name, str_):
                name = "BaseException"
        except BaseException_:
            name = "BaseException"
        try:
            message = str_(exc)
            if not isinstance_(message, str_):
                message = ""
        except BaseException_:
            message = "<unprintable exception>"
        message = message[:2000]
        lines = []
        try:
            tb = exc.__traceback__
            while tb is not None:
                code = tb.tb_frame.f_code
                filename = code.co_filename
                if filename in filenames:
                    lineno = tb.tb_lineno
                    lines.append('  File "%s", line %d, in %s' % (filename, lineno, code.co_name))
                    src = filenames[filename].splitlines()
                    if 0 < lineno <= len_(src):
                        lines.append("    " + src[lineno - 1].strip())
                tb = tb.tb_next
            if isinstance_(exc, SyntaxError_) and exc.text is not None:
                lines.append('  File "%s", line %s' % (exc.filename, exc.lineno))
                lines.append("    " + str_(exc.text).strip())
        except BaseException_:
            pass
        lines.append(name + (": " + message if message else ""))
        tb_text = "\n".join(lines[-10:])[-4000:]
        return hx(name), hx(message), hx(tb_text)

    sources = {"<setup>": setup_src, "<candidate>": code_src, "<tests>": tests_src}

    # Plan the tests with a trusted parse, before any untrusted code runs.
    steps = []  # (test index or -1 for setup, code object)
    test_sources = []
    try:
        module = compile_(tests_src, "<tests>", "exec", 0x400)  # ast.PyCF_ONLY_AST, no `ast` import
        node_types = type_(module)
        top = module.body
        check_style = bool(entry) and any(
            type_(n).__name__ == "FunctionDef" and n.name == "check" for n in top
        )
        if check_style and not entry.isidentifier():
            raise ValueError("entry point %r is not an identifier" % entry)

        def has_call(node):
            """Whether an expression tree calls anything (then it exercises the candidate)."""
            stack = [node]
            while stack:
                item = stack.pop()
                if type_(item).__name__ == "Call":
                    return True
                for field in getattr(item, "_fields", ()):
                    child = getattr(item, field, None)
                    if isinstance_(child, list):
                        stack.extend(child)
                    elif child is not None:
                        stack.append(child)
            return False

        def is_setup(n):
            """Imports, definitions and call-free assignments prepare tests; they are not tests."""
            kind = type_(n).__name__
            if kind in ("Import", "ImportFrom", "FunctionDef", "AsyncFunctionDef", "ClassDef"):
                return True
            return kind in ("Assign", "AnnAssign", "AugAssign") and not has_call(n)

        def is_check_call(n):
            """A top-level `check(...)` call: the harness makes that call itself."""
            return (
                type_(n).__name__ == "Expr"
                and type_(n.value).__name__ == "Call"
                and type_(n.value.func).__name__ == "Name"
                and n.value.func.id == "check"
            )

        def unit_names():
            """Sorted `test*` methods of the unittest class and of its bases in the tests."""
            classes = {n.name: n for n in top if type_(n).__name__ == "ClassDef"}
            if unit not in classes:
                raise NameError("the tests define no class %r" % unit)
            names, seen, todo = set(), set(), [unit]
            while todo:
                cls = classes.get(todo.pop())
                if cls is None or cls.name in seen:
                    continue
                seen.add(cls.name)
                for item in cls.body:
                    kind = type_(item).__name__
                    if kind in ("FunctionDef", "AsyncFunctionDef") and item.name.startswith("test"):
                        names.add(item.name)
                todo.extend(b.id for b in cls.bases if type_(b).__name__ == "Name")
            return sorted(names)

        raw = tests_src.encode("utf-8").splitlines(keepends=True)
        starts = [0]
        for line in raw:
            starts.append(starts[-1] + len_(line))
        flat = b"".join(raw)
        if unit:
            test_sources = ["%s.%s" % (unit, name) for name in unit_names()]
            steps.append((-1, compile_(module, "<tests>", "exec")))
            top = []
        for n in top:
            single = node_types(body=[n], type_ignores=[])
            if check_style:
                # HumanEval style: everything but a stray `check(...)` call is setup.
                if not is_check_call(n):
                    steps.append((-1, compile_(single, "<tests>", "exec")))
                continue
            if is_setup(n):
                steps.append((-1, compile_(single, "<tests>", "exec")))
                continue
            a = starts[n.lineno - 1] + n.col_offset
            b = starts[n.end_lineno - 1] + n.end_col_offset
            test_sources.append(flat[a:b].decode("utf-8", "replace").strip())
            steps.append((len_(test_sources) - 1, compile_(single, "<tests>", "exec")))
        if check_style:
            call = "check(%s)" % entry
            test_sources.append(call)
            steps.append((0, compile_(call, "<check>", "exec")))
            sources["<check>"] = call
    except BaseException_ as exc:
        emit("P", "0", "-")
        finish("E", "tests", *describe(exc, sources))
    emit("P", str_(len_(test_sources)), hx("\x00".join(test_sources)))

    probes = []  # (seconds, code object)
    try:
        for i, item in enumerate(probes_src.split("\x00") if probes_src else ()):
            limit, _, expr = item.partition("\x01")
            name = "<probe %d>" % i
            sources[name] = expr
            probes.append((float(limit), compile_(expr, name, "eval")))
    except BaseException_ as exc:
        finish("E", "tests", *describe(exc, sources))

    try:
        setup_code = compile_(setup_src, "<setup>", "exec")
        candidate_code = compile_(code_src, "<candidate>", "exec")
    except BaseException_ as exc:
        finish("E", "candidate", *describe(exc, sources))
    from time import perf_counter
    from _signal import ITIMER_REAL, SIGALRM, setitimer, signal as on_signal
    encode_plain = _pv_encode  # _plain.py is compiled in front of this file (_harness_code.ts)

    # Limits and privileges, then hand the interpreter over to untrusted code.
    setrlimit = resource.setrlimit
    setrlimit(resource.RLIMIT_CORE, (0, 0))
    setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    setrlimit(resource.RLIMIT_AS, (mem, mem))
    if uid >= 0 and os.getuid() == 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid:
            finish("E", "harness", hx("PermissionError"), hx("could not drop to uid %d" % uid), "-")

    if not site and not hasattr(builtins, "exit"):

        class Quitter:
            def __init__(self, name):
                self.name = name

            def __repr__(self):
                return "Use %s() or Ctrl-D (i.e. EOF) to exit" % self.name

            def __call__(self, code=None):
                raise SystemExit(code)

        builtins.exit, builtins.quit = Quitter("exit"), Quitter("quit")

    main = type_(sys)("__main__")
    main.__builtins__ = builtins
    namespace = main.__dict__
    sys.modules["__main__"] = main

    def run_unit(namespace):
        """One run of the unittest class's suite; a T record per planned test as it ends."""
        import unittest

        planned = {source.partition(".")[2]: i for i, source in enumerate(test_sources)}
        failed = {}

        class Result(unittest.TestResult):
            def addError(self, test, err):
                failed.setdefault(test, err[1])

            addFailure = addError

            def addSubTest(self, test, subtest, err):
                if err is not None:
                    failed.setdefault(test, err[1])

            def stopTest(self, test):
                name = getattr(test, "_testMethodName", None)
                if name not in planned:
                    return  # a class or module fixture's error holder: reported below
                exc = failed.get(test)
                if exc is None:
                    emit("T", str_(planned[name]), "1", "-", "-", "-")
                else:
                    emit("T", str_(planned[name]), "0", *describe(exc, sources))

        try:
            unittest.TestLoader().loadTestsFromTestCase(namespace[unit]).run(Result())
        except BaseException_ as exc:
            finish("E", "tests", *describe(exc, sources))
        for test, exc in failed.items():
            if getattr(test, "_testMethodName", None) not in planned:
                finish("E", "tests", *describe(exc, sources))

    class Sink:
        def write(self, text):
            return len_(text)

        def flush(self):
            pass

    stage = "setup"
    if unit:  # the program's Python-level output is swallowed from here on
        sys.stdout = sys.stderr = Sink()
    try:
        exec_(setup_code, namespace)
        stage = "candidate"
        exec_(candidate_code, namespace)
    except BaseException_ as exc:
        finish("E", stage, *describe(exc, sources))

    for index, code in steps:
        settrace(None)
        setprofile(None)
        try:
            exec_(code, namespace)
        except BaseException_ as exc:
            settrace(None)
            setprofile(None)
            if index < 0:
                finish("E", "tests", *describe(exc, sources))
            emit("T", str_(index), "0", *describe(exc, sources))
            continue
        if index >= 0:
            emit("T", str_(index), "1", "-", "-", "-")

    if unit:
        run_unit(namespace)

    def on_alarm(signum, frame):
        raise TimeoutError("probe time limit exceeded")

    for index, (limit, code) in enumerate(probes):
        settrace(None)
        setprofile(None)
        saved = sys.stdout, sys.stderr
        if quiet:
            sys.stdout = sys.stderr = Sink()
        start, seconds = perf_counter(), "0.000000"
        try:
            if limit > 0:
                on_signal(SIGALRM, on_alarm)
                setitimer(ITIMER_REAL, limit)
            try:
                value = eval_(code, namespace)
            finally:
                if limit > 0:
                    setitimer(ITIMER_REAL, 0)
                sys.stdout, sys.stderr = saved
                # The call's own time (what a reference's time limit scales), not the encoding's.
                seconds = "%.6f" % (perf_counter() - start)
            text = encode_plain(value, budget)
        except BaseException_ as exc:
            settrace(None)
            setprofile(None)
            emit("X", str_(index), seconds, *describe(exc, sources))
            continue
        emit("V", str_(index), seconds, hx(text))

    finish("D")


# The zygote (_zygote.py) passes the input it forked for; a spawned interpreter reads stdin.
_harness(globals().pop("_SANDBOX_INPUT", None))
