"""Every event code the faces and the text models listen for is one the workflow emits.

notify, upstream, intel and webhooks react to events by their dotted code; a code
misspelt there, or renamed in an action, would silently never fire. The codes the
workflow emits are the literal codes in cases/actions (every `record()` call names its
code there, directly or through a conditional); the timeline and the webhooks' list of
subscribable events (`EVENT_LABELS`) must name the same ones.
"""

import ast
import re
from pathlib import Path

from django.test import SimpleTestCase

from lianxin.cases.timeline import EVENT_LABELS

PACKAGE = Path(__file__).resolve().parent.parent
CODE = re.compile(r"^cases\.[a-z]+\.[a-z_]+$")
LISTENERS = ("notify", "upstream", "intel", "webhooks")


def codes_in(*folders: Path, tests: bool = False) -> dict[str, set[str]]:
    """Each event code written as a string literal in the folders' modules, with where."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            if not tests and ("tests" in path.parts or "migrations" in path.parts):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                text = node.value if isinstance(node, ast.Constant) else None
                if isinstance(text, str) and CODE.match(text):
                    found.setdefault(text, set()).add(str(path.relative_to(PACKAGE)))
    return found


def emitted() -> set[str]:
    return set(codes_in(PACKAGE / "cases" / "actions"))


class EventCodesTest(SimpleTestCase):
    def test_the_reader_finds_the_workflows_codes(self):
        codes = emitted()
        self.assertIn("cases.case.registered", codes)
        self.assertIn("cases.case.verification_failed", codes)  # named in a conditional
        self.assertGreater(len(codes), 30)

    def test_every_code_the_listeners_name_is_emitted(self):
        named = codes_in(*(PACKAGE / app for app in LISTENERS))
        self.assertTrue(named, "the listeners name no code at all: the reader is broken")
        unknown = {code: sorted(where) for code, where in named.items() if code not in emitted()}
        self.assertEqual(unknown, {})

    def test_the_timeline_and_the_webhooks_offer_exactly_the_emitted_codes(self):
        self.assertEqual(set(EVENT_LABELS), emitted())
