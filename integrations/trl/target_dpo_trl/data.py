"""Reading export format v2 (schema/target-dpo-pairs.v2.schema.json in the kit's repository).

Every line is checked against the schema and against itself: the sha256 of each completion, and
every span inside its completion, sorted and disjoint. A bad line fails with `file:line: field
"x": what is wrong`, never a bare traceback and never a silent skip.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema

SCHEMA_VERSION = "target-dpo.pairs/v2"
SCHEMA_FILE = Path(__file__).resolve().parents[3] / "schema" / "target-dpo-pairs.v2.schema.json"


class PairsFileError(ValueError):
    """A bad line of a pairs file: names the file, the line and the field."""

    def __init__(self, file: str | Path, line: int, field: str, message: str):
        super().__init__(f'{file}:{line}: field "{field}": {message}')
        self.file, self.line, self.field = str(file), line, field


def _schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _field_of(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return str(error.message).split("'")[1]
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
    return path or "(record)"


def _check_spans(file, line, record, side):
    text = record[side]
    end_prev = 0
    for i, (start, end) in enumerate(record[f"{side}_spans"]):
        if not (end_prev <= start < end <= len(text)):
            raise PairsFileError(
                file, line, f"{side}_spans[{i}]",
                f"[{start}, {end}) is not a sorted, disjoint span inside the {len(text)} code points of {side}",
            )
        end_prev = end


def read_pairs(path: str | Path) -> list[dict]:
    """Every record of a v2 JSONL file, checked."""
    validator = jsonschema.Draft202012Validator(_schema())
    records = []
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as e:
                raise PairsFileError(path, number, "(line)", f"not JSON ({e.msg})") from None
            if isinstance(record, dict) and "schema" in record and record["schema"] != SCHEMA_VERSION:
                raise PairsFileError(
                    path, number, "schema", f"{record['schema']!r} is not supported (this package reads {SCHEMA_VERSION!r})"
                )
            error = jsonschema.exceptions.best_match(validator.iter_errors(record))
            if error is not None:
                raise PairsFileError(path, number, _field_of(error), error.message)
            for side in ("chosen", "rejected"):
                digest = hashlib.sha256(record[side].encode("utf-8")).hexdigest()
                if digest != record[f"{side}_sha256"]:
                    raise PairsFileError(path, number, f"{side}_sha256", f"is not the sha256 of {side} ({digest})")
                _check_spans(path, number, record, side)
            records.append(record)
    return records
