"""No import cycles among the project's modules.

The graph is read from the source with ``ast``, without importing anything: every module of the
apps (migrations and tests aside), an edge for each ``import x`` and ``from x import y``
(relative ones resolved; ``from pkg import module`` is an edge to the module, ``from pkg import
name`` to the package). A package's ``__init__`` importing its submodules, which import each
other, is no cycle: the package is already in ``sys.modules`` by then.

Imports inside a function or method count as well: moving an import into a function hides a
cycle from the interpreter but not from a reader, and the structure should not need it (a
shared piece moves into a module both sides import, an app is reached by a dotted name or a
table it registers). Only imports under ``if TYPE_CHECKING:`` are left out, since they never run.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "curriculum", "training", "progress", "scenarios", "notifications")


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "migrations" in parts or "tests" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST):
    """Every import statement, skipping ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imported_modules(module: str, path: Path, modules) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in _imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            target = ".".join([*base, node.module] if node.module else base)
        else:
            target = node.module
        for alias in node.names:
            submodule = f"{target}.{alias.name}"
            found.add(submodule if submodule in modules else target)
    found.discard(module)
    return found & modules.keys()


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    modules = project_modules(root)
    return {module: imported_modules(module, path, modules) for module, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if start in state:
            continue
        path, iterators = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while iterators:
            following = next(iterators[-1], None)
            if following is None:
                state[path.pop()] = 2
                iterators.pop()
            elif state.get(following) == 1:
                return path[path.index(following) :] + [following]
            elif following not in state:
                state[following] = 1
                path.append(following)
                iterators.append(iter(sorted(graph.get(following, ()))))
    return None


def test_the_project_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_a_cycle_is_found_and_named(tmp_path):
    for app in APPS:
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "training" / "services.py").write_text("from . import tasks\n")
    (tmp_path / "training" / "tasks.py").write_text(
        "def run():\n    from training.services import plan_realign\n"
    )
    (tmp_path / "training" / "migrations").mkdir()
    (tmp_path / "training" / "migrations" / "0001.py").write_text("from training import services\n")
    cycle = find_cycle(import_graph(tmp_path))
    assert cycle == ["training.services", "training.tasks", "training.services"]


def test_relative_imports_and_packages_resolve(tmp_path):
    for app in APPS:
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "progress" / "services").mkdir()
    (tmp_path / "progress" / "services" / "__init__.py").write_text("from .content import x\n")
    (tmp_path / "progress" / "services" / "content.py").write_text(
        "from typing import TYPE_CHECKING\nfrom .. import models\n"
        "if TYPE_CHECKING:\n    from . import ingest\n"
    )
    (tmp_path / "progress" / "services" / "ingest.py").write_text("")
    (tmp_path / "progress" / "models.py").write_text("import config.outbox\n")
    (tmp_path / "config" / "outbox.py").write_text("")
    graph = import_graph(tmp_path)
    assert graph["progress.services"] == {"progress.services.content"}
    assert graph["progress.services.content"] == {"progress.models"}
    assert graph["progress.models"] == {"config.outbox"}
