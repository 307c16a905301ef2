"""bigcodebench's own evaluator as the kit's peer: `bigcodebench.eval.untrusted_check` (what
`bigcodebench.evaluate` runs per sample) with `bigcodebench.evaluate`'s defaults: calibrated
solutions (`code_prompt + "\\n    pass\\n" + solution`), 30 GiB address space and data, 10 MiB
stack, its 240 s per-task limit (BIGCODEBENCH_TIMEOUT_PER_TASK), a pool of worker processes.

The tasks come from BIGCODEBENCH_OVERRIDE_PATH, read as bigcodebench's loader reads it (JSON
Lines; its loader module itself needs the `datasets` package, which this environment leaves out).
bigcodebench runs programs without isolation: testing/bcb_peer/mod.ts starts this script inside
bubblewrap (read-only root, fresh /tmp, no network, no capabilities).

stdin: JSON Lines {"id", "task_id", "solution"}; stdout: one line per sample, "\x1epeer " then
JSON {"id", "status", "failed", "traces"} (status pass/fail/timeout, failed: the names of the
failing tests, or ALL, traces: the end of each one's traceback); bigcodebench's own messages ("Intercepted ...") share stdout and are skipped."""
import gzip
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor

from bigcodebench.eval import untrusted_check


def _tasks(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return {t["task_id"]: t for t in (json.loads(line) for line in f if line.strip())}


_TASKS = _tasks(os.environ["BIGCODEBENCH_OVERRIDE_PATH"])


def _check(sample):
    task = _TASKS[sample["task_id"]]
    solution = task["code_prompt"] + "\n    pass\n" + sample["solution"]
    status, details = untrusted_check(
        solution, task["test"], task["entry_point"], 30 * 1024, 30 * 1024, 10, 1, 20
    )
    traces = {name: str(trace)[-1500:] for name, trace in details.items()}
    return {"id": sample["id"], "status": status, "failed": sorted(details), "traces": traces}


def main():
    samples = [json.loads(line) for line in sys.stdin if line.strip()]
    with ProcessPoolExecutor(max_workers=int(sys.argv[1])) as pool:
        for result in pool.map(_check, samples):
            print("\x1epeer " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
