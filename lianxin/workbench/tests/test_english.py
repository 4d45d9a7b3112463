"""The English translation: labels, workflow messages, the login page and a complete catalogue."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import translation

from lianxin.cases.models import Case, CasePart, Status
from lianxin.cases.rules import WorkflowError, check
from lianxin.orgs.models import Unit
from lianxin.test import LianxinTestCase

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file, each a dict of msgctxt, msgid, msgid_plural, msgstr[n] and flags.

    Just enough of the format for our own catalogue; obsolete (#~) entries are skipped.
    """
    entries: list[dict] = []
    entry: dict = {}
    key = None

    def finish():
        if "msgid" in entry:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
            entry, key = {}, None
        elif line.startswith("#,"):
            entry.setdefault("flags", set()).update(
                flag.strip() for flag in line[2:].split(",") if flag.strip()
            )
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            if key == "msgid" and "msgid" in entry:
                # An entry that follows without a blank line.
                finish()
                entry = {}
            entry[key] = ast.literal_eval(value)
    finish()
    return [entry for entry in entries if entry["msgid"]]


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


class EnglishLabelsTest(SimpleTestCase):
    def test_statuses_read_in_english(self):
        with translation.override("en"):
            self.assertEqual(str(Status.REGISTERED.label), "To dispatch")
            self.assertEqual(str(Status.IN_PROGRESS.label), "In progress")
            self.assertEqual(str(Status.CONSTRAINED.label), "Constrained")
            self.assertEqual(str(Status.RESOLVED.label), "Resolved, to verify")
            self.assertEqual(str(CasePart.Role.SUMMONED.label), "Summoned by whistle")
            self.assertEqual(str(Unit.Kind.GRID.label), "Grid")

    def test_field_names_read_in_english(self):
        with translation.override("en"):
            self.assertEqual(
                str(Case._meta.get_field("tracking_number").verbose_name), "Tracking number"
            )
            self.assertEqual(str(Case._meta.get_field("leader").verbose_name), "Responsible leader")
            self.assertEqual(str(Case._meta.verbose_name), "Case")

    def test_chinese_stays_the_default(self):
        with translation.override("zh-hans"):
            self.assertEqual(str(Status.REGISTERED.label), "待派单")


class EnglishWorkflowMessagesTest(LianxinTestCase):
    def refusal(self, name, user, case) -> str:
        with self.assertRaises(WorkflowError) as caught:
            check(name, user, case)
        return str(caught.exception.message)

    def test_a_forbidden_action_is_refused_in_english(self):
        case = self.register()
        with translation.override("en"):
            message = self.refusal("dispatch", self.resident, case)
        self.assertEqual(message, "You are not allowed to perform “Dispatch” on this case.")

    def test_an_action_in_the_wrong_state_is_refused_in_english(self):
        case = self.register()
        with translation.override("en"):
            message = self.refusal("verify", self.dispatcher, case)
        self.assertEqual(message, "“Verify” is not possible while the case is “To dispatch”.")

    def test_the_same_refusal_reads_in_chinese_by_default(self):
        case = self.register()
        with translation.override("zh-hans"):
            message = self.refusal("dispatch", self.resident, case)
        self.assertEqual(message, "您无权对该诉求执行“派单”。")


class LoginPageLanguageTest(SimpleTestCase):
    def test_an_english_browser_gets_an_english_page(self):
        response = self.client.get(reverse("login"), headers={"accept-language": "en"})
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Sign in to the Lianxin Service Platform")
        self.assertContains(response, "Password")
        self.assertNotContains(response, "登录连心服务平台")

    def test_a_chinese_browser_gets_a_chinese_page(self):
        response = self.client.get(reverse("login"), headers={"accept-language": "zh-hans"})
        self.assertContains(response, '<html lang="zh-hans">')
        self.assertContains(response, "登录连心服务平台")
        self.assertContains(response, "密码")
        self.assertNotContains(response, "Sign in")


class CatalogueTest(SimpleTestCase):
    def setUp(self):
        self.entries = read_po(CATALOGUE / "django.po")

    def test_the_catalogue_is_not_empty(self):
        self.assertGreater(len(self.entries), 100)

    def test_every_entry_is_translated(self):
        untranslated = [
            entry["msgid"]
            for entry in self.entries
            if not translations(entry) or not all(text.strip() for text in translations(entry))
        ]
        self.assertEqual(untranslated, [])

    def test_no_entry_is_fuzzy(self):
        fuzzy = [entry["msgid"] for entry in self.entries if "fuzzy" in entry.get("flags", ())]
        self.assertEqual(fuzzy, [])

    def test_placeholders_are_kept(self):
        for entry in self.entries:
            expected = set(PLACEHOLDER.findall(entry["msgid"]))
            for text in translations(entry):
                with self.subTest(msgid=entry["msgid"]):
                    self.assertEqual(set(PLACEHOLDER.findall(text)), expected)

    def test_the_compiled_catalogue_matches_the_po_file(self):
        # The .mo is committed; a stale one means compilemessages was not run after an edit.
        with (CATALOGUE / "django.mo").open("rb") as mo:
            compiled = gettext.GNUTranslations(mo)
        for entry in self.entries:
            with self.subTest(msgid=entry["msgid"]):
                if "msgctxt" in entry:
                    self.assertEqual(
                        compiled.pgettext(entry["msgctxt"], entry["msgid"]), entry["msgstr"]
                    )
                elif "msgid_plural" in entry:
                    for n, count in ((0, 1), (1, 2)):
                        self.assertEqual(
                            compiled.ngettext(entry["msgid"], entry["msgid_plural"], count),
                            entry[f"msgstr[{n}]"],
                        )
                else:
                    self.assertEqual(compiled.gettext(entry["msgid"]), entry["msgstr"])
