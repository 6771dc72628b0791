"""Work handed to the task runner never touches the widget that asked for it.

``run_task(fn, on_done, owner)`` runs ``fn`` on a pool thread while the GUI thread goes on
with the same widget. A ``fn`` that reads or writes ``self`` (the widget's fields, its
methods) races the GUI thread: the workspace once kept its draft revision that way. This
test reads every screen's source and refuses a worker function that mentions ``self``:
read what the work needs on the GUI thread into locals, and pass those.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

UI = Path(__file__).parents[3] / "console" / "ui"
RUNNERS = frozenset({"run_task", "_run"})
"""The runner, and the one panel helper that forwards its first argument to it."""


@dataclass(frozen=True)
class Offence:
    where: str
    why: str


def _mentions_self(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "self" for n in ast.walk(node))


def _offences(path: Path, root: Path = UI) -> list[Offence]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Offence] = []
    for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
        methods = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
        for function in [n for n in cls.body if isinstance(n, ast.FunctionDef)]:
            local = {n.name: n for n in ast.walk(function) if isinstance(n, ast.FunctionDef)}
            for call in [n for n in ast.walk(function) if isinstance(n, ast.Call)]:
                name = getattr(call.func, "attr", getattr(call.func, "id", ""))
                if name not in RUNNERS or not call.args:
                    continue
                work, where = call.args[0], f"{path.relative_to(root)}:{call.lineno}"
                if isinstance(work, ast.Lambda) and _mentions_self(work.body):
                    found.append(Offence(where, "a lambda that reads self"))
                elif isinstance(work, ast.Name) and work.id in local:
                    if _mentions_self(local[work.id]):
                        found.append(Offence(where, f"{work.id}() reads self"))
                elif (
                    isinstance(work, ast.Attribute)
                    and isinstance(work.value, ast.Name)
                    and work.value.id == "self"
                    and work.attr in methods
                ):
                    found.append(Offence(where, f"the method self.{work.attr} runs on the pool"))
    return found


def test_no_worker_function_touches_its_widget() -> None:
    sources = sorted(UI.rglob("*.py"))
    assert len(sources) > 30  # the screens are where this test looks
    offences = [o for path in sources for o in _offences(path)]
    assert offences == [], "\n".join(f"{o.where}: {o.why}" for o in offences)


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("self._runner.run_task(lambda: self._read(), done, self)", "a lambda that reads self"),
        ("self._runner.run_task(self._read, done, self)", "the method self._read runs on"),
        ("def work():\n            return self.ref\n        self._run(work, done, 'x')", "work()"),
    ],
)
def test_the_check_sees_each_way_of_touching_the_widget(
    tmp_path: Path, source: str, why: str
) -> None:
    text = (
        "class Panel:\n    def _read(self):\n        pass\n\n"
        f"    def go(self, done):\n        {source}\n"
    )
    probe = tmp_path / "probe.py"
    probe.write_text(text, encoding="utf-8")
    offences = _offences(probe, tmp_path)
    assert len(offences) == 1 and why in offences[0].why
