"""Import contracts of the package, checked by walking its source (no import needed).

Rooms, from the top: shells (``cli``, ``commands/``, ``web/``) → stages (speech,
audio, build, schedule, export, playlog, report, player …) → ``config``/``models``/
``errors``. A stage never imports a shell; ``schedule/`` is pure planning and imports
no later stage; ``config`` imports nothing from ``speech/``; modules import each other
without cycles; no module is longer than MAX_LINES.

Known violations are listed below as allow-lists, each with why it is still there.
An allow-list must only shrink: a NEW violation fails, and so does an allowed one
that is gone (delete its entry then), so each list says exactly what is left to do.
See docs/ARCHITECTURE.md.
"""
from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "broadcaster"
MAX_LINES = 600

SHELLS = ("broadcaster.cli", "broadcaster.commands", "broadcaster.web", "broadcaster.__main__")
# What schedule/ may not import: every stage that comes after planning, and the shells.
ABOVE_SCHEDULE = ("broadcaster.build", "broadcaster.audio", "broadcaster.export", "broadcaster.playlog",
                  "broadcaster.report", "broadcaster.player", "broadcaster.sinks", "broadcaster.recordings",
                  "broadcaster.record") + SHELLS

# -- allow-lists: (importer, imported) → why it is still there --------------------------------------------------------

ALLOWED_STAGE_TO_SHELL: dict[tuple[str, str], str] = {
}

ALLOWED_SCHEDULE_UPWARD: dict[tuple[str, str], str] = {
}

ALLOWED_CONFIG_TO_SPEECH: dict[tuple[str, str], str] = {
}

# Import cycles at module level (each as the sorted tuple of its modules).
ALLOWED_CYCLES: dict[tuple[str, ...], str] = {
}

# Cycles that only late (function-level) imports hide: the same knot, postponed to run time.
ALLOWED_LATE_CYCLES: dict[tuple[str, ...], str] = {
}

# Stage messages that still name a command-line flag: (module, flag) → why it is still there. Stage messages are
# also shown by the web console, whose users never see flags: the shell adds the flag hint (see export.ExportError).
ALLOWED_FLAGS_IN_STAGES: dict[tuple[str, str], str] = {
}
# Modules whose strings are the CLI's own text although they are not under cli/commands: click's Vietnamese frame.
SHELL_TEXT = SHELLS + ("broadcaster.clickvi",)

# Modules still over MAX_LINES: name → ceiling (their size when listed; they may only shrink).
ALLOWED_LONG: dict[str, int] = {
}


# -- the walk ---------------------------------------------------------------------------------------------------------

def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@functools.cache
def imports(top_level_only: bool = False) -> dict[str, set[str]]:
    """module → the package modules it imports (``from X import name`` counts X.name when that is a module)."""
    known = modules()
    found: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if top_level_only else ast.walk(tree)
        targets: set[str] = set()
        for node in nodes:
            if top_level_only and isinstance(node, ast.If):  # e.g. `if TYPE_CHECKING:` is not an import at run time
                continue
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, path.name == "__init__.py", node)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.add(sub if sub in known else base)
        found[name] = {t for t in targets if t.startswith("broadcaster") and t in known and t != name}
    return found


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(rule) -> set[tuple[str, str]]:
    return {(a, b) for a, targets in imports().items() for b in targets if rule(a, b)}


def cycles(graph: dict[str, set[str]] | None = None) -> set[tuple[str, ...]]:
    """The strongly connected components (more than one module) of the import graph (module level by default)."""
    graph = imports(top_level_only=True) if graph is None else graph
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.add(tuple(sorted(component)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _compare(found: set, allowed: dict, what: str) -> None:
    new = sorted(found - set(allowed))
    gone = sorted(set(allowed) - found)
    assert not new, f"new {what} (fix it; an allow-list only shrinks): {new}"
    assert not gone, f"{what} fixed — delete these allow-list entries: {gone}"


# -- the contracts ----------------------------------------------------------------------------------------------------

def test_the_walk_sees_the_package():
    found = imports()
    assert "broadcaster.schedule.expand" in found and "broadcaster.models" in found["broadcaster.schedule.expand"]
    assert "broadcaster.errors" in found["broadcaster.cli"]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == {("a", "b")}  # the cycle finder finds a cycle


def test_stages_never_import_shells():
    found = violations(lambda a, b: not _under(a, SHELLS) and _under(b, SHELLS))
    _compare(found, ALLOWED_STAGE_TO_SHELL, "stage → shell imports")


def test_schedule_imports_no_later_stage():
    found = violations(lambda a, b: _under(a, ("broadcaster.schedule",)) and _under(b, ABOVE_SCHEDULE))
    _compare(found, ALLOWED_SCHEDULE_UPWARD, "schedule → later-stage imports")


def test_config_imports_nothing_from_speech():
    found = violations(lambda a, b: a == "broadcaster.config" and _under(b, ("broadcaster.speech",)))
    _compare(found, ALLOWED_CONFIG_TO_SPEECH, "config → speech imports")


def test_no_import_cycles_between_modules():
    _compare(cycles(), ALLOWED_CYCLES, "import cycles")


def test_late_imports_hide_no_new_cycles():
    graph = imports()
    _compare(cycles(graph), ALLOWED_LATE_CYCLES, "import cycles through late imports")


def test_no_module_is_longer_than_600_lines():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    long = {name for name, n in sizes.items() if n > MAX_LINES}
    _compare(long, ALLOWED_LONG, f"modules over {MAX_LINES} lines")
    grown = {name: (sizes[name], ceiling) for name, ceiling in ALLOWED_LONG.items() if sizes[name] > ceiling}
    assert not grown, f"allowed long modules grew past their ceiling (size, ceiling): {grown}"


@functools.cache
def cli_flags() -> frozenset[str]:
    """Every long option of the command line (``--force``, ``--station`` …), read from the click group."""
    import click

    from broadcaster.cli import cli

    flags: set[str] = set()

    def walk(command: click.Command) -> None:
        for param in command.params:
            flags.update(o for o in (*param.opts, *param.secondary_opts) if o.startswith("--"))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(cli)
    return frozenset(flags)


_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def flags_in_stage_strings() -> set[tuple[str, str]]:
    """(module, flag) for each string of a stage module (docstrings aside) naming one of our CLI flags."""
    ours = cli_flags()
    found = set()
    for name, path in modules().items():
        if _under(name, SHELL_TEXT):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found |= {(name, flag) for flag in _FLAG.findall(node.value) if flag in ours}
    return found


def test_stage_messages_name_no_cli_flag():
    assert {"--force", "--station", "--days"} <= cli_flags()  # the flag list is read from the real CLI
    assert not {f for m, f in flags_in_stage_strings() if _under(m, ("broadcaster.export",))}
    _compare(flags_in_stage_strings(), ALLOWED_FLAGS_IN_STAGES, "CLI flags named in stage messages")
