"""Who may import whom, read from the source of every project module.

- No import cycle between project modules. Function-level imports count, since they only defer a
  cycle to the first call; imports under ``if TYPE_CHECKING:`` do not, since they never run.
- ``videos`` and ``providers`` import nothing from ``jobs``, and nothing from each other.
- ``jobs`` reaches ``videos`` and ``providers`` only through their ``services`` modules.
- No module imports a name starting with ``_`` from another project module.

The last three hold for type-only imports too: a type hint still couples to what it names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("blogtube_site", "jobs", "videos", "providers", "publishing")
# Apps that know nothing of jobs or of each other; jobs uses them through their services.
LEAF_APPS = ("videos", "providers", "publishing")

# (importing module, imported module): a rule broken knowingly, and why. A module here stands
# for itself and, once it is a package, for the modules in it.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    line: int
    statement: str
    target: str  # the project module imported, or the one a name is taken from
    name: str | None  # the name taken from target, when it is not a module itself
    type_only: bool

    def __str__(self) -> str:
        path = modules()[self.module].relative_to(ROOT)
        return f"{self.module} ({path}:{self.line}: {self.statement})"


@cache
def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if {"migrations", "tests"} & set(path.relative_to(ROOT).parts):
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _project_module(dotted: str) -> str | None:
    """The deepest project module that ``dotted`` names or lies inside."""
    while dotted and dotted not in modules():
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def _type_only_nodes(tree: ast.Module) -> set[int]:
    return {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for sub in ast.walk(statement)
    }


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if modules()[module].name == "__init__.py" else module.rpartition(".")[0]
    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{base}.{node.module}" if node.module else base


@cache
def imports(module: str) -> tuple[Import, ...]:
    tree = ast.parse(modules()[module].read_text())
    type_only = _type_only_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            pairs = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, node)
            pairs = [
                (f"{source}.{alias.name}", None)
                if f"{source}.{alias.name}" in modules()
                else (source, alias.name)
                for alias in node.names
            ]
        else:
            continue
        for dotted, name in pairs:
            target = _project_module(dotted)
            if target is None or target == module:
                continue
            found.append(
                Import(
                    module=module,
                    line=node.lineno,
                    statement=ast.unparse(node),
                    target=target,
                    name=name if target == dotted else None,
                    type_only=id(node) in type_only,
                )
            )
    return tuple(found)


def private_attributes(module: str) -> Iterator[str]:
    """``alias._name`` where alias is bound by an import to another project module."""
    tree = ast.parse(modules()[module].read_text())
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.partition(".")[0]
                bound[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, node)
            for alias in node.names:
                if f"{source}.{alias.name}" in modules():
                    bound[alias.asname or alias.name] = f"{source}.{alias.name}"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not _is_private(node.attr):
            continue
        head, _, rest = ast.unparse(node.value).partition(".")
        if head not in bound:
            continue
        owner = ".".join(filter(None, (bound[head], rest)))
        if owner in modules() and owner != module:
            path = modules()[module].relative_to(ROOT)
            yield f"{module} ({path}:{node.lineno}: {ast.unparse(node)})"


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def app(module: str) -> str:
    return module.partition(".")[0]


def _in(module: str, allowed: str) -> bool:
    return module == allowed or module.startswith(f"{allowed}.")


def allowed(entry: Import) -> bool:
    return any(_in(entry.module, a) and _in(entry.target, b) for a, b in ALLOWED)


def every_import() -> list[Import]:
    return [entry for module in sorted(modules()) for entry in imports(module)]


def _cycles(graph: dict[str, dict[str, Import]]) -> list[list[Import]]:
    """One cycle per strongly connected component of the graph (Tarjan), as its imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)

    cycles = []
    for component in components:
        start = min(component)
        # Breadth-first from start back to start, inside the component: the shortest cycle.
        paths = {start: []}
        frontier = [start]
        while frontier and start not in [t for f in frontier for t in graph[f]]:
            following = []
            for node in frontier:
                for target in sorted(graph[node]):
                    if target in component and target not in paths:
                        paths[target] = [*paths[node], graph[node][target]]
                        following.append(target)
            frontier = following
        last = next(f for f in frontier if start in graph[f])
        cycles.append([*paths[last], graph[last][start]])
    return cycles


def test_project_modules_import_each_other_without_cycles():
    graph: dict[str, dict[str, Import]] = {module: {} for module in modules()}
    for entry in every_import():
        if not entry.type_only:
            graph[entry.module].setdefault(entry.target, entry)
    cycles = [" -> ".join(map(str, cycle)) for cycle in _cycles(graph)]
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def test_videos_and_providers_import_nothing_from_jobs_or_each_other():
    wrong = [
        str(entry)
        for entry in every_import()
        if app(entry.module) in LEAF_APPS
        and app(entry.target) in {"jobs", *LEAF_APPS} - {app(entry.module)}
        and not allowed(entry)
    ]
    assert wrong == [], "imports across app lines:\n" + "\n".join(wrong)


def test_jobs_reaches_videos_and_providers_only_through_their_services():
    wrong = [
        str(entry)
        for entry in every_import()
        if app(entry.module) == "jobs"
        and app(entry.target) in LEAF_APPS
        and entry.target != f"{app(entry.target)}.services"
        and not allowed(entry)
    ]
    assert wrong == [], "jobs past another app's services:\n" + "\n".join(wrong)


def test_every_allowed_exception_is_still_needed():
    used = {
        (a, b)
        for entry in every_import()
        for a, b in ALLOWED
        if _in(entry.module, a) and _in(entry.target, b)
    }
    assert set(ALLOWED) - used == set()


def test_no_module_takes_a_private_name_from_another():
    wrong = [
        f"{entry}: {entry.name}"
        for entry in every_import()
        if entry.name is not None and _is_private(entry.name)
    ]
    wrong += [found for module in sorted(modules()) for found in private_attributes(module)]
    assert wrong == [], "private names used outside their module:\n" + "\n".join(wrong)


def test_the_walk_sees_what_it_checks():
    """The rules above pass vacuously if the walk finds nothing: it must see the known edges."""
    edges = {(entry.module, entry.target) for entry in every_import()}
    assert ("jobs.pipeline", "videos.services") in edges
    assert ("jobs.pipeline", "providers.services") in edges
    assert any(entry.type_only for entry in every_import())
