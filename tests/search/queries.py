"""The customer query sets: what customers type, and which questions answer it.

``queries.toml`` is the set search is shaped against; its ``[out_of_scope]`` queries are
answered by no question. ``held_out.toml`` holds queries kept out of that work, measured
and reported beside it (its answers are named as in ``queries.toml``).
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

QUERIES_FILE = Path(__file__).with_name("queries.toml")
HELD_OUT_FILE = Path(__file__).with_name("held_out.toml")


@dataclass(frozen=True)
class QuerySet:
    questions: dict[str, str]  # short name -> question, as the file's [answers] names them
    answers: dict[str, list[str]]  # query -> the questions that answer it
    out_of_scope: list[str] = field(default_factory=list)  # queries no question answers

    @classmethod
    def read(cls, path: Path = QUERIES_FILE) -> "QuerySet":
        questions = tomllib.loads(QUERIES_FILE.read_text(encoding="utf-8"))["answers"]
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            questions,
            {q: [questions[name] for name in names] for q, names in data["queries"].items()},
            data.get("out_of_scope", {}).get("queries", []),
        )
