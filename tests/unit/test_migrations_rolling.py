"""Every migration is safe for a rolling deploy: while it runs and after, replicas still on the
code before it keep working. A column made NOT NULL without a server default would fail every
insert from those replicas, which do not know it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from storage.migrate import MIGRATIONS

VERSIONS = sorted((MIGRATIONS / "versions").glob("[0-9]*.py"))


def not_null_without_default(source: str) -> list[str]:
    """Columns that `upgrade()` adds or alters to NOT NULL with no server default given for
    them anywhere in the same upgrade."""
    tree = ast.parse(source)
    upgrade = next(node for node in tree.body
                   if isinstance(node, ast.FunctionDef) and node.name == "upgrade")
    with_default: set[str] = set()
    not_null: list[str] = []
    for call in ast.walk(upgrade):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        if call.func.attr == "add_column":
            column = next((a for a in call.args if isinstance(a, ast.Call)), None)
            if column is None:
                continue
            names, keywords = _strings(column.args), column.keywords
        elif call.func.attr == "alter_column":
            names, keywords = _strings(call.args), call.keywords
        else:
            continue
        name = names[-1] if names else "?"  # op.alter_column(table, column) or batch's (column)
        given = {k.arg: k.value for k in keywords}
        if "server_default" in given and not _is_none(given["server_default"]):
            with_default.add(name)
        if "nullable" in given and _is_false(given["nullable"]):
            not_null.append(name)
    return [name for name in not_null if name not in with_default]


def _strings(args: list[ast.expr]) -> list[str]:
    return [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def test_there_are_migrations_to_check() -> None:
    assert len(VERSIONS) >= 5


@pytest.mark.parametrize("path", VERSIONS, ids=[p.stem for p in VERSIONS])
def test_no_migration_makes_a_column_not_null_without_a_default(path: Path) -> None:
    assert not_null_without_default(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(("body", "found"), [
    ('op.add_column("t", sa.Column("c", sa.Text(), nullable=False))', ["c"]),
    ('batch_op.add_column(sa.Column("c", sa.Text(), nullable=False))', ["c"]),
    ('batch_op.alter_column("c", existing_type=sa.Text(), nullable=False)', ["c"]),
    ('op.alter_column("t", "c", nullable=False, server_default=None)', ["c"]),
    ('op.add_column("t", sa.Column("c", sa.Text(), nullable=False, server_default="x"))', []),
    ('batch_op.add_column(sa.Column("c", sa.Text(), nullable=True, server_default="x"))\n'
     '    batch_op.alter_column("c", nullable=False)', []),
    ('op.add_column("t", sa.Column("c", sa.Text(), nullable=True))', []),
], ids=["add", "add-in-batch", "alter", "default-none", "add-with-default",
        "default-then-not-null", "nullable"])
def test_the_check_notices_a_not_null_column_without_a_default(body: str, found: list[str]
                                                               ) -> None:
    assert not_null_without_default(f"def upgrade():\n    {body}\n") == found
