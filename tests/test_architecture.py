"""The layout docs/architecture.md describes: coach's packages and modules in layers, imports pointing down only,
and no import circle. Every import counts, including those inside functions and under TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

COACH = Path(__file__).resolve().parent.parent / "coach"

# Bottom up; a module may import its own layer and the layers below it. The names are coach's top-level
# modules and packages ("__init__" is the Python API, coach/__init__.py). docs/architecture.md has the same table.
LAYERS: list[set[str]] = [
    {"types", "errors", "paths", "yaml_input", "config", "script", "redact", "prompts", "model_answer",
     "thread_confined"},
    {"policy", "policy_vocabulary", "safety", "safety_model", "demand_model", "escalation", "analyze"},
    {"corpus", "embeddings", "graph_files", "store", "lexical", "ingest", "glossary", "retrieval", "citations",
     "doctor"},
    {"backends", "guard", "compose", "callback_script"},
    {"chain"},
    {"__init__", "langchain", "server", "evaluation", "cli", "__main__"},
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(COACH.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in COACH.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from coach import safety` imports the module coach.safety; `from coach.x import name`, coach.x
                found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                          for a in node.names}
        edges[name] = {m for m in found if m in modules and m != name}
    return edges


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_top_level_module_has_a_layer() -> None:
    tops = {_top(m) for m in _imports()}
    placed = set().union(*LAYERS)
    assert tops - placed == set(), "add the new module to LAYERS here and to docs/architecture.md"
    assert placed - tops == set(), "a module in LAYERS no longer exists"


def test_imports_point_down_the_layers() -> None:
    layer = {name: i for i, names in enumerate(LAYERS) for name in names}
    upward = sorted(f"{a} -> {b}" for a, targets in _imports().items() for b in targets
                    if layer[_top(b)] > layer[_top(a)])
    assert upward == []


def test_no_import_circle() -> None:
    edges = _imports()
    done: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            circles.append([*path[path.index(module):], module])
            return
        if module in done:
            return
        for target in sorted(edges[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])
    assert circles == []
