# Inputs of an EvalPlus task (HumanEval+, MBPP+), spliced into the sandbox job's setup by
# plus_program.ts. The program only gets the inputs: expected outputs never enter its
# interpreter; the judge (lib/sandbox/_judge.py) compares the values its probes return.
import json as _plus_json
import sys as _plus_sys

_plus_sys.set_int_max_str_digits(0)


def _plus_deep_tuple(x):
    return tuple(_plus_deep_tuple(i) for i in x) if isinstance(x, list) else x
