"""The codebase stays walkable: small modules and functions, no import cycle anywhere.

Sizes are counted on the files as committed, which `ruff format --check` (CI) keeps formatted;
`# fmt: skip` may not pack code under a limit."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50
PRODUCT = sorted(p for folder in ("bot", "jobs") for p in (ROOT / folder).rglob("*.py"))


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_modules_stay_short() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in PRODUCT
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_functions_stay_short() -> None:
    long = {}
    for path in PRODUCT:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in _functions(tree):
            lines = (fn.end_lineno or fn.lineno) - fn.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                long[f"{path.relative_to(ROOT)}:{fn.lineno} {fn.name}"] = lines
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_no_format_skip_packs_code() -> None:
    packed = [str(p.relative_to(ROOT)) for p in PRODUCT if "fmt: skip" in p.read_text("utf-8")]
    assert not packed


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_import_cycle_between_any_modules() -> None:
    graph = grimp.build_graph("bot", "jobs")
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.z")
    graph.add_import(importer="a.z", imported="a.x")
    assert _cycles(graph) == [["a.x", "a.y", "a.z"]]


def _class_clashes(paths: list[Path], root: Path) -> dict[str, list[str]]:
    """Each top-level class name defined in more than one module, with those modules."""
    where: dict[str, list[str]] = {}
    for path in paths:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(str(path.relative_to(root)))
    return {name: modules for name, modules in where.items() if len(modules) > 1}


def test_one_name_per_concept() -> None:
    """Two classes of one name are two concepts a reader tells apart only by the import line;
    each gets a name of its own."""
    clashes = _class_clashes(PRODUCT, ROOT)
    assert not clashes, f"top-level classes defined in more than one module: {clashes}"


def test_the_clash_finder_finds_a_clash(tmp_path: Path) -> None:
    nested = "class Reply:\n    pass\n\n\ndef f() -> None:\n    class Local: ...\n"
    (tmp_path / "a.py").write_text(nested)
    (tmp_path / "b.py").write_text(nested.replace("Reply", "Other"))
    (tmp_path / "c.py").write_text(nested)
    paths = sorted(tmp_path.glob("*.py"))
    assert _class_clashes(paths, tmp_path) == {"Reply": ["a.py", "c.py"]}


def _code_map() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Code map", 1)[1].split("```text", 1)[1].split("```", 1)[0]


def _entries(folder: Path, folders_only: bool = False) -> set[str]:
    """The names a reader of `ls folder` sees: modules without .py, folders; no __init__."""
    return {
        p.stem if p.suffix == ".py" else p.name
        for p in folder.iterdir()
        if (p.is_dir() or (p.suffix == ".py" and not folders_only))
        and p.name not in {"__init__.py", "__pycache__"}
    }


def test_the_code_map_names_every_module_and_folder() -> None:
    """README's code map is where a newcomer starts: whatever `ls bot bot/* jobs tests` shows
    is named there, so a module added without a word in the map fails here."""
    named = set(re.findall(r"\w+", _code_map()))
    expected = _entries(ROOT / "bot") | _entries(ROOT / "jobs")
    expected |= _entries(ROOT / "tests", folders_only=True)
    for package in (ROOT / "bot").iterdir():
        if (package / "__init__.py").is_file():
            expected |= _entries(package)
    missing = sorted(expected - named)
    assert not missing, f"README's code map does not name: {missing}"
