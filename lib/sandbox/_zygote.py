# Sandbox zygote: a pre-started interpreter, run as root inside the long-lived bwrap sandbox of
# one pool slot, that forks once per program (launcher "zygote" of sandbox.ts).
#
# Start: `python3 -I -S -c <this source> <harness size> <tmpfs bytes> <JSON {sitePackages,
# preImport}>`: the zygote adds the site-packages folders, imports the preImport modules (kept
# by every run, so a run does not pay pandas' import time) and then reads from stdin the marshalled
# harness (_harness.py), then frames "<kind:1 byte><length:4 bytes big-endian><payload>":
#   R <n>        run: the next n bytes are the harness input (header line + texts). They are
#                read by the forked child, never by the zygote, so no later fork ever holds
#                them in memory.
#   N <32>       token of that run (hex), sent right after the R payload; read only after the
#                fork, so the program never sees it.
#   T 0 / K 0    SIGTERM / SIGKILL the run (the parent's wall clock or output cap); ignored idle.
# EOF on stdin ends the zygote (killing a run in flight).
#
# Per run the zygote forks A (own process group); A reads the input, unshares mount, pid, ipc
# and uts namespaces and forks B, pid 1 of the new pid namespace. B mounts fresh tmpfs on
# /tmp (the cwd), /dev/shm and /var/tmp and a fresh /proc (with bwrap's read-only sys,
# sysrq-trigger, irq and bus), then forks C, which starts a new session, closes every inherited descriptor but 0-2 and runs
# the harness in-process: the harness sets the rlimits and drops to the run's fresh uid (no
# capabilities left), exactly as in a spawned interpreter. The program's stdout and stderr are
# the zygote's own (the pipes to the parent): its output never passes through zygote memory.
# When C exits, B exits with C's status (128 + n for signal n), which kills everything left in
# the namespace; A exits with B's status. The zygote reaps A, SIGKILLs A's process group, reaps
# every other child (it is a child subreaper), restores blocking mode on its pipes and writes
# "\x1d<token> <code>\n" on stdout and on stderr: nothing of the run can write after it.
import ctypes, gc, json, marshal, os, select, signal, struct, sys

_CLONE = 0x00020000 | 0x20000000 | 0x08000000 | 0x04000000  # NEWNS | NEWPID | NEWIPC | NEWUTS
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_char_p]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                        ctypes.c_ulong]


def _read_exact(fd, n):
    parts, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _fatal(stage):
    """A setup step of a run failed: say so on stderr and exit 70 (never a pass)."""
    err = ctypes.get_errno()
    os.write(2, ("sandbox zygote: %s failed: %s\n" % (stage, os.strerror(err))).encode())
    os._exit(70)


def _mount(source, target, fstype, flags, data):
    if _libc.mount(source, target, fstype, flags, data) != 0:
        _fatal("mount %s" % target.decode())


def _exit_code(status):
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def _program(harness, data, baseline):
    """C: the program. Runs the harness in this process; never returns."""
    os.setsid()
    os.closerange(3, 1 << 20)
    for name in [m for m in sys.modules if m not in baseline]:
        del sys.modules[name]  # forget the zygote's own imports (ctypes, select, ...)
    sys.argv = ["-c"]
    namespace = {"__name__": "__sandbox_harness__", "_SANDBOX_INPUT": data}
    del data
    try:
        exec(harness, namespace)
    finally:
        os._exit(3)  # the harness always exits itself


def _init(harness, data, baseline, tmpfs_bytes):
    """B: pid 1 of the run's pid namespace. Mounts the run's tmpfs and /proc, waits for C."""
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None)
    opts = b"size=%d,mode=1777" % tmpfs_bytes
    for target in (b"/tmp", b"/dev/shm", b"/var/tmp"):  # nothing of an earlier run is left
        _mount(b"tmpfs", target, b"tmpfs", _MS_NOSUID | _MS_NODEV, opts)
    _mount(b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None)
    for sub in (b"/proc/sys", b"/proc/sysrq-trigger", b"/proc/irq", b"/proc/bus"):
        if os.path.exists(sub):
            _mount(sub, sub, None, _MS_BIND | _MS_REC, None)
            ro = _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
            _mount(None, sub, None, ro, None)
    os.chdir("/tmp")
    program = os.fork()
    if program == 0:
        _program(harness, data, baseline)
    del data
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == program:
            os._exit(_exit_code(status))


def _runner(harness, size, ready, baseline, tmpfs_bytes):
    """A: reads the run's input, enters fresh namespaces, forks B and waits for it."""
    os.setpgid(0, 0)
    data = _read_exact(0, size)
    if data is None:
        os._exit(71)
    os.write(ready, b"1")
    os.close(ready)
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if _libc.unshare(_CLONE) != 0:
        _fatal("unshare")
    init = os.fork()
    if init == 0:
        _init(harness, data, baseline, tmpfs_bytes)
    del data
    _, status = os.waitpid(init, 0)
    os._exit(_exit_code(status))


def _frame():
    head = _read_exact(0, 5)
    if head is None:
        return None, 0
    return head[:1], struct.unpack(">I", head[1:])[0]


def _preload(options):
    """Trusted packages, imported before any run: their modules stay in every run."""
    if options["sitePackages"]:
        import site

        for folder in options["sitePackages"]:
            site.addsitedir(folder)
    for name in options["preImport"]:
        __import__(name)


def _main():
    size, tmpfs_bytes = int(sys.argv[1]), int(sys.argv[2])
    _preload(json.loads(sys.argv[3]))
    baseline = set(sys.modules)
    harness = marshal.loads(_read_exact(0, size))
    sys.argv = ["-c"]
    if _libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        _fatal("prctl")
    baseline |= {"__main__"}
    gc.collect()
    gc.freeze()  # keep the zygote's heap shared with its forks
    while True:
        kind, n = _frame()
        if kind is None:
            return
        if kind != b"R":
            continue  # a late T/K for a run that already ended
        ready_r, ready_w = os.pipe()
        runner = os.fork()
        if runner == 0:
            os.close(ready_r)
            _runner(harness, n, ready_w, baseline, tmpfs_bytes)
        os.close(ready_w)
        ok = os.read(ready_r, 1) == b"1"
        os.close(ready_r)
        if not ok:
            os._exit(72)  # the input stream is out of step: fail closed, the parent restarts us
        kind, n = _frame()
        token = _read_exact(0, n) if kind == b"N" else None
        if token is None:
            os.kill(runner, signal.SIGKILL)
            os._exit(73)
        pidfd = os.pidfd_open(runner)
        poller = select.poll()
        poller.register(0, select.POLLIN)
        poller.register(pidfd, select.POLLIN)
        closing = False
        while True:
            events = dict(poller.poll())
            if pidfd in events:
                break
            if 0 in events:
                kind, n = _frame()
                if kind is None or (n and _read_exact(0, n) is None):
                    closing = True
                    poller.unregister(0)
                    kind = b"K"
                sig = {b"T": signal.SIGTERM, b"K": signal.SIGKILL}.get(kind)
                if sig is not None:
                    try:
                        os.killpg(runner, sig)
                    except ProcessLookupError:
                        pass
        os.close(pidfd)
        _, status = os.waitpid(runner, 0)
        try:
            os.killpg(runner, signal.SIGKILL)
        except ProcessLookupError:
            pass
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
        if closing:
            return
        line = b"\x1d" + token + b" %d\n" % _exit_code(status)
        for fd in (1, 2):
            os.set_blocking(fd, True)
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view):]


_main()
