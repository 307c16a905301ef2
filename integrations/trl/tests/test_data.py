"""Reading format v2: the kit's own export passes the schema and the checks; each kind of bad line
fails with an error naming the file, the line and the field."""

import json
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, record

from target_dpo_trl.data import PairsFileError, read_pairs

GOOD = record("def f(x):\n", "    return x + 1\n", "    return x - 1\n", [(0, 17)])


def _write(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_the_kits_export_reads_back(tmp_path):
    pairs = tmp_path / "synth"
    subprocess.run(["deno", "task", "synth", "--teacher", "miniflow", "--tasks", "30", "--max-pairs", "6", "--out", str(pairs)],
                   cwd=ROOT, check=True, capture_output=True)
    out = tmp_path / "pairs.v2.jsonl"
    subprocess.run(["deno", "task", "export", "--pairs", str(pairs / "pairs.jsonl"), "--out", str(out), "--hybrid-seed", "1"],
                   cwd=ROOT, check=True, capture_output=True)
    records = read_pairs(out)
    assert len(records) >= 4
    assert any(not r["target_masks"] for r in records) and any(r["target_masks"] for r in records)
    for r in records:
        for start, end in r["rejected_spans"]:
            # a span starts at a line start of the rejected completion
            assert start == 0 or r["rejected"][start - 1] == "\n"


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (lambda r: r.update(rejected_spans=[[0, 999]]), 2, "rejected_spans[0]"),
        (lambda r: r.update(chosen_sha256="0" * 64), 2, "chosen_sha256"),
        (lambda r: r.pop("rejected_lines"), 2, "rejected_lines"),
        (lambda r: r.update(schema="target-dpo.pairs/v9"), 2, "schema"),
        (lambda r: r.update(empty_rejected="maybe"), 2, "empty_rejected"),
    ],
)
def test_a_bad_line_names_the_file_line_and_field(tmp_path, change, line, field):
    bad = dict(GOOD)
    change(bad)
    path = _write(tmp_path / "pairs.jsonl", [GOOD, bad])
    with pytest.raises(PairsFileError) as e:
        read_pairs(path)
    assert str(e.value).startswith(f'{path}:{line}: field "{field}": '), str(e.value)


def test_a_line_that_is_not_json(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text(json.dumps(GOOD) + "\n{oops\n")
    with pytest.raises(PairsFileError, match=r'pairs.jsonl:2: field "\(line\)": not JSON'):
        read_pairs(path)
