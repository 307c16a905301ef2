# EvalPlus (PyPI evalplus, pinned in python/requirements-peer.txt) scoring samples, for the
# cross-check in tests/eval/evalplus_peer_test.ts. The samples are the kit's own canonical
# solutions and mechanical mutants of them, never model output.
#
# stdin: {"dataset": "humaneval"|"mbpp", "data": path of HumanEvalPlus/MbppPlus .jsonl.gz,
#         "samples": [{"task_id": str, "solution": str}]}
# stdout: {"verdicts": ["pass"|"fail"|"timeout", ...]} in sample order.
import gzip, json, os, sys, types

import evalplus

# evalplus.data's __init__ imports the `datasets` package for EvalPerf; only its MBPP+ input
# decoder is needed, so the package is registered without running that __init__.
_data = types.ModuleType("evalplus.data")
_data.__path__ = [os.path.join(os.path.dirname(evalplus.__file__), "data")]
sys.modules["evalplus.data"] = _data

from evalplus.data.mbpp import mbpp_deserialize_inputs  # noqa: E402
from evalplus.eval import untrusted_check  # noqa: E402
from evalplus.eval._special_oracle import MBPP_OUTPUT_NOT_NONE_TASKS  # noqa: E402
from evalplus.gen.util import trusted_exec  # noqa: E402


def main():
    req = json.load(sys.stdin)
    dataset = req["dataset"]
    wanted = {s["task_id"] for s in req["samples"]}
    problems = {}
    with gzip.open(req["data"], "rt") as f:
        for line in f:
            p = json.loads(line)
            if p["task_id"] in wanted:
                problems[p["task_id"]] = p
    truth = {}
    for tid, p in problems.items():
        inputs = p["base_input"] + p["plus_input"]
        if dataset == "mbpp":
            inputs = mbpp_deserialize_inputs(tid, inputs)
        expected, times = trusted_exec(
            p["prompt"] + p["canonical_solution"],
            inputs,
            p["entry_point"],
            record_time=True,
            output_not_none=p["entry_point"] in MBPP_OUTPUT_NOT_NONE_TASKS,
        )
        truth[tid] = (inputs, expected, times)
    verdicts = []
    for s in req["samples"]:
        p = problems[s["task_id"]]
        inputs, expected, times = truth[s["task_id"]]
        stat, _ = untrusted_check(
            dataset, s["solution"], inputs, p["entry_point"], expected, p["atol"], times,
            fast_check=True,
        )
        verdicts.append(stat)
    json.dump({"verdicts": verdicts}, sys.stdout)


main()
