"""The services and the storage know nothing of HTTP: they raise `api.errors`, and `api.app` alone turns
those into status codes."""

from __future__ import annotations

import ast

from tests.support.paths import ROOT

HTTP = {"fastapi", "starlette", "httpx"}


def test_services_and_storage_import_nothing_of_http() -> None:
    paths = [*sorted((ROOT / "api" / "services").glob("*.py")), *sorted((ROOT / "api" / "storage").glob("*.py")),
             ROOT / "api" / "errors.py", ROOT / "api" / "bad_input.py", ROOT / "api" / "identity.py"]
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in HTTP]
    assert not found, found
