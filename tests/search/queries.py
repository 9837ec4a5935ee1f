"""The customer query set (queries.toml): what customers type, and which questions answer it."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

QUERIES_FILE = Path(__file__).with_name("queries.toml")


@dataclass(frozen=True)
class QuerySet:
    questions: dict[str, str]  # short name -> question, as the file's [answers] names them
    answers: dict[str, list[str]]  # query -> the questions that answer it

    @classmethod
    def read(cls, path: Path = QUERIES_FILE) -> "QuerySet":
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        questions = data["answers"]
        return cls(
            questions,
            {q: [questions[name] for name in names] for q, names in data["queries"].items()},
        )
