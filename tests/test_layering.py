"""The layers of the code: which package of `scheduler/` may import which, and what `api/` may use of it.

The core is a pipeline: the contract (input, domain, schedule document) → what each rule says of one meeting →
the solver's models → the registry binding each rule to its code → the searches → the explanations → the solve
→ the publication → the CLI. The validator (`check`) stands beside them and knows nothing of the model. A
package imports only packages before it (so there is no cycle), every import counts (also one inside a
function or under TYPE_CHECKING), and the core imports nothing of the service.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT

SCHEDULER = ROOT / "scheduler"
SERVICE_ONLY = {"api", "fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "huey", "redis"}

# package (or top-level module) of scheduler/ -> the packages it may import
LAYERS: dict[str, set[str]] = {
    "contract": set(),
    "lifetime": set(),  # a process dying with its parent: the solver's children and serve's
    "rules": {"contract"},
    "check": {"contract"},
    "model": {"contract", "rules", "lifetime"},
    "registry": {"contract", "rules", "check", "model"},
    "search": {"contract", "rules", "model", "registry"},
    "explain": {"contract", "rules", "check", "model", "registry", "search"},
    "solve": {"contract", "rules", "check", "model", "registry", "search", "explain"},
    # the publication reads a solve's outcome through its plain types only (OR-Tools is not loaded to publish)
    "publish": {"contract", "check", "solve.types"},
    "cli": {"contract", "check", "explain", "solve", "publish"},
    "__main__": {"cli"},
    "__init__": set(),
}
# what api/ (and the benchmarks' service runs) may import of the core: its public modules, by public names
PUBLIC_FOR_THE_SERVICE = {
    "scheduler.contract.parse", "scheduler.contract.domain", "scheduler.contract.document",
    "scheduler.contract.input_model", "scheduler.check.validator", "scheduler.solve.types", "scheduler.solve.options",
    "scheduler.contract.strict_json", "scheduler.lifetime",
    "scheduler.solve.solver", "scheduler.solve.baseline", "scheduler.publish.publication",
    "scheduler.publish.from_outcome", "scheduler.publish.revisions", "scheduler.publish.delegation_view",
    "scheduler.cli", "scheduler.contract.local_time",
    "scheduler.solve.move_cost", "scheduler.solve.choices", "scheduler.publish.choices",  # re-plans side by side
    "scheduler.contract.left_out",  # the groups of left-out requests, in words
    "scheduler.publish.office",  # a publication's room plan and agendas, previewed before it is published
}  # fmt: skip


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in a file, relative ones resolved."""
    found = []
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((module, [alias.name for alias in node.names]))
    return found


def _layer(path: Path) -> str:
    parts = path.relative_to(SCHEDULER).with_suffix("").parts
    return parts[0]


def _target(module: str, names: list[str]) -> set[str]:
    """The layers an import reaches: `scheduler.solve.types` names itself, other modules their package."""
    parts = module.split(".")
    if module == "scheduler":
        return {name for name in names}
    if parts[:2] == ["scheduler", "solve"] and len(parts) > 2 and parts[2] == "types":
        return {"solve.types"}
    return {parts[1]}


def test_each_package_imports_only_the_packages_before_it() -> None:
    wrong = []
    for path in sorted(SCHEDULER.rglob("*.py")):
        layer = _layer(path)
        assert layer in LAYERS, f"{path.relative_to(ROOT)}: a package the layering test does not know"
        for module, names in _imports(path):
            if module.split(".")[0] != "scheduler":
                continue
            for target in _target(module, names) - {layer, f"{layer}.types"}:
                allowed = LAYERS[layer]
                if target not in allowed and not (target == "solve.types" and "solve" in allowed):
                    wrong.append(f"{path.relative_to(ROOT)} imports {module} ({layer} -> {target})")
    assert not wrong, "\n".join(wrong)


def test_the_layers_have_no_cycle() -> None:
    order: list[str] = []
    left = {layer: {t.split(".")[0] for t in allowed} - {layer} for layer, allowed in LAYERS.items()}
    while left:
        ready = sorted(layer for layer, needs in left.items() if needs <= set(order))
        assert ready, f"a cycle among {sorted(left)}"
        order += ready
        for layer in ready:
            del left[layer]


def test_the_core_imports_nothing_of_the_service() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted(SCHEDULER.rglob("*.py"))
        for module, _ in _imports(path)
        if module.split(".")[0] in SERVICE_ONLY
    ]
    assert not found


def test_the_service_uses_only_the_public_modules_of_the_core() -> None:
    wrong = []
    for path in sorted((ROOT / "api").rglob("*.py")):
        for module, names in _imports(path):
            if module.split(".")[0] != "scheduler":
                continue
            if module not in PUBLIC_FOR_THE_SERVICE or any(name.startswith("_") for name in names):
                wrong.append(f"{path.relative_to(ROOT)}: from {module} import {', '.join(names)}")
    assert not wrong, "\n".join(wrong)


def _loaded_after_importing(*modules: str) -> set[str]:
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return {name.split(".")[0] for name in out.split()}


def test_publishing_and_checking_never_load_the_solvers() -> None:
    """Publishing a stored schedule (the service does it in its web process) and checking one need neither
    OR-Tools nor the LP or MaxSAT solvers: loading them costs seconds on a busy machine."""
    publish = [f"scheduler.publish.{p.stem}" for p in (SCHEDULER / "publish").glob("*.py") if p.stem != "__init__"]
    loaded = _loaded_after_importing(*publish, "scheduler.check.validator", "scheduler.contract.parse")
    assert not loaded & {"ortools", "highspy", "pysat"}


def test_no_test_module_imports_another() -> None:
    """Shared helpers live in tests/support (and fixtures in conftest.py files, which pytest loads itself): a test
    module imported by another runs its tests twice and ties two files together."""
    wrong = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for module, _ in _imports(path)
        if module.startswith("tests.") and (module.split(".")[-1].startswith("test_") or module.endswith("conftest"))
    ]
    assert not wrong, "\n".join(wrong)


def test_a_web_process_starts_without_the_solvers() -> None:
    """A web process of `scheduler serve` reads api.cli (multiprocessing's spawn reads the main module again)
    and api.app, and uvicorn kills one that does not answer its health check while it starts: OR-Tools,
    pandas and alembic took seconds to load on a busy 2-core machine. The web process only enqueues solves
    (by the task's name), publishes (pandas is loaded for the workbook then) and never migrates."""
    loaded = _loaded_after_importing("api.cli", "api.app")
    assert not loaded & {"ortools", "pandas", "numpy", "highspy", "pysat", "alembic"}
