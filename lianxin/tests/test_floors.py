"""The apps stand on floors, and imports run only down or across, never up.

Ground: the org tree, accounts, the working-day calendar and the project's small shared
modules. On it, cases; on cases, the registers and programmes; above them the read side
and the faces to partners; at the top the two screens (and the demo, which loads all).
No app imports a screen: the workbench and the portal are pages, not libraries.

The rule holds for every production module (lazy imports inside functions included).
Test modules may reach across floors to build their data, but not into a screen.
"""

import ast
from pathlib import Path

from django.test import SimpleTestCase

PACKAGE = Path(__file__).resolve().parent.parent

GROUND, CASES, REGISTERS, UPPER, SCREENS = range(5)
FLOORS = {
    # the project's own shared modules: they import no app
    "forms": GROUND,
    "errors": GROUND,
    "cache": GROUND,
    "retry": GROUND,
    "ratelimit": GROUND,
    "bodysize": GROUND,
    "csp": GROUND,
    "sendfile": GROUND,
    "text": GROUND,
    "sheets": GROUND,
    "jobs": GROUND,
    "orgs": GROUND,
    "accounts": GROUND,
    "workdays": GROUND,
    "cases": CASES,
    "registry": REGISTERS,
    "programs": REGISTERS,
    "projects": REGISTERS,
    "hazards": REGISTERS,
    "volunteers": REGISTERS,
    "figures": UPPER,
    "geo": UPPER,
    "ledgers": UPPER,
    "intel": UPPER,
    "open311": UPPER,
    "upstream": UPPER,
    "notify": UPPER,
    "webhooks": UPPER,
    "ops": UPPER,  # health, logs, metrics: reads the cases and the city platform's state
    "portal": SCREENS,
    "workbench": SCREENS,
    "demo": SCREENS,
}
SCREEN_APPS = {"portal", "workbench"}
# Project wiring that may import anything: settings, URLs, entry points, the test base.
WIRING = {"__init__", "settings", "urls", "wsgi", "cli", "test", "tests"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every `lianxin.…` module the file imports, at the top or inside a function."""
    own = module_name(path).split(".")
    package = own if path.name == "__init__.py" else own[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            if module == "lianxin":  # `from lianxin import workbench` names the app
                found.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("lianxin.")}


def is_test_module(path: Path) -> bool:
    return "tests" in path.parts or path.name.startswith(("test_", "conftest"))


def top(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def imports():
    """(importing file, its module's first name under lianxin, imported module) triples."""
    for path in sorted(PACKAGE.rglob("*.py")):
        source = top(module_name(path))
        for target in sorted(imported_modules(path)):
            yield path, source, target


class FloorsTest(SimpleTestCase):
    def test_every_app_has_a_floor(self):
        apps = {path.parent.name for path in PACKAGE.glob("*/apps.py")}
        self.assertEqual(apps - FLOORS.keys(), set(), "give each new app its floor here")

    def test_the_walker_sees_imports_at_the_top_and_inside_functions(self):
        # the workbench imports the case list's filters at the top of its views
        views = imported_modules(PACKAGE / "workbench" / "views.py")
        self.assertIn("lianxin.cases.filters", views)
        # load_demo imports the topic sync inside its handler
        load_demo = PACKAGE / "demo" / "management" / "commands" / "load_demo.py"
        self.assertTrue(any(top(name) == "intel" for name in imported_modules(load_demo)))

    def test_no_app_imports_a_screen(self):
        wrong = [
            f"{path.relative_to(PACKAGE.parent)} imports {target}"
            for path, source, target in imports()
            if top(target) in SCREEN_APPS and source not in (top(target), "urls")
        ]
        self.assertEqual(wrong, [])

    def test_production_modules_import_only_down_or_across(self):
        wrong = []
        for path, source, target in imports():
            if is_test_module(path) or source in WIRING or top(target) in WIRING:
                continue
            if FLOORS.get(top(target), SCREENS) > FLOORS.get(source, GROUND):
                wrong.append(f"{path.relative_to(PACKAGE.parent)} imports {target}")
        self.assertEqual(wrong, [])
