"""The core library stays a library: `scheduler/` imports nothing of the service, the web or storage."""

from __future__ import annotations

import ast
from pathlib import Path

SCHEDULER = Path(__file__).resolve().parents[1] / "scheduler"
SERVICE_ONLY = {"api", "fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "huey", "redis"}


def test_the_core_imports_nothing_of_the_service() -> None:
    found = []
    for path in sorted(SCHEDULER.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in SERVICE_ONLY]
    assert not found
