"""The layout's rules, checked on every run so the map in docs/architecture.md stays true:
the import contracts (pyproject.toml, [tool.importlinter]), SQL only in query modules, queries
that never answer HTTP, one home for each way of creating a record, role sets defined once."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fieldapp"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b",
                 re.IGNORECASE | re.DOTALL)
DATABASE_CALLS = {"execute", "executemany", "executescript", "query_one", "query_all"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def is_route_module(tree: ast.Module) -> bool:
    """A module that adds a view: some function decorated with `@bp.get(...)` and the like."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                        and target.value.id == "bp":
                    return True
    return False


def sql_in(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in DATABASE_CALLS:
                found.append(f"line {node.lineno}: calls {name}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and SQL.search(node.value):
            found.append(f"line {node.lineno}: SQL text {node.value.split()[0:3]}")
    return found


def test_the_import_contracts_hold():
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout or " broken" not in result.stdout


def test_route_modules_hold_no_sql():
    offenders = {}
    for path in modules():
        tree = ast.parse(path.read_text())
        if is_route_module(tree) and (found := sql_in(tree)):
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}, "move these to the area's queries.py"


def test_the_sql_check_finds_sql_in_a_route_module():
    """The check above can fail: it sees a route module's query."""
    tree = ast.parse('@bp.get("/x")\ndef view():\n    return query_one(db, "SELECT 1 FROM t")\n')
    assert is_route_module(tree) and len(sql_in(tree)) == 2


def test_queries_never_answer_with_an_http_error():
    offenders = []
    for path in PACKAGE.rglob("queries.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Name) and node.id == "abort" \
                    or isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.startswith("werkzeug.exceptions"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "a query returns None; the route decides 404 or 403"


@pytest.mark.parametrize("table", ["visits", "visit_operatives", "work_steps", "residents",
                                   "adjustments", "visit_logs", "log_concerns",
                                   "resident_pauses", "partner_reports", "passkeys",
                                   "languages"])
def test_one_function_creates_each_kind_of_record(table):
    """Demo, bench data, the importer and the test factories all create records through the
    area's own function, so a new column is one edit."""
    pattern = re.compile(rf"INSERT\s+(OR\s+\w+\s+)?INTO\s+{table}\b", re.IGNORECASE)
    places = [f"{path.relative_to(ROOT)}:{n}"
              for folder in ("fieldapp", "tests", "bench", "scripts")
              for path in sorted((ROOT / folder).rglob("*.py"))
              for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert len(places) == 1, places


@pytest.mark.parametrize("name", ["ROLES", "ROLE_LABELS", "OFFICE_ROLES", "OPERATIVE_ROLES",
                                  "ADMIN_ROLES", "OFFICER_ROLES", "SUPERVISOR_ROLES",
                                  "PUSH_ROLES"])
def test_role_sets_are_defined_once(name):
    definitions = [str(path.relative_to(ROOT)) for path in modules()
                   if re.search(rf"^{name}\s*=", path.read_text(), re.MULTILINE)]
    assert definitions == ["fieldapp/core/access.py"]


def test_package_inits_make_a_blueprint_and_import_no_routes():
    """Importing an area's queries must not pull in its routes (or what they import)."""
    for init in PACKAGE.glob("*/__init__.py"):
        imports = [node for node in ast.walk(ast.parse(init.read_text()))
                   if isinstance(node, ast.Import | ast.ImportFrom)]
        assert all(getattr(node, "module", "") == "flask" for node in imports), init
