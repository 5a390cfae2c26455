"""Simplified Chinese is the default language and English is complete (§1): every message of the project has a
checked Chinese translation, and the compiled catalogue (committed, so no gettext is needed) matches the .po."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from wuye.core.access import Role
from wuye.people.models import Relation
from wuye.tenancy.models import UnitKind

PO = Path(settings.BASE_DIR) / "wuye" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: {"msgid", "msgid_plural"?, "msgctxt"?, "msgstr" or "msgstr[n]", "flags"}."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, key = {"flags": set()}, None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue  # comments, references, obsolete entries
            elif line.startswith('"'):
                entry[key] += _unquote(line)
            else:
                key, _, rest = line.partition(" ")
                entry[key] = _unquote(rest)
        if "msgid" in entry:
            entries.append(entry)
    return entries


ENTRIES = read_po(PO)
MESSAGES = [entry for entry in ENTRIES if entry["msgid"]]


def _translations(entry) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_the_catalogue_exists_and_is_compiled():
    assert len(MESSAGES) > 250
    assert MO.exists() and MO.stat().st_size > 10_000


def test_every_message_has_a_checked_chinese_translation():
    header = next(entry for entry in ENTRIES if entry["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    untranslated = [entry["msgid"] for entry in MESSAGES if not all(_translations(entry))]
    fuzzy = [entry["msgid"] for entry in MESSAGES if "fuzzy" in entry["flags"]]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_translations_keep_their_placeholders():
    for entry in MESSAGES:
        expected = set(_PLACEHOLDER.findall(entry["msgid"]))
        for value in _translations(entry):
            assert set(_PLACEHOLDER.findall(value)) == expected, entry["msgid"]


def test_compiled_catalogue_matches_the_po_file():
    """Proves the committed .mo was compiled from this .po (a stale .mo answers differently)."""
    with translation.override("zh-hans"):
        for entry in MESSAGES:
            context, msgid = entry.get("msgctxt"), entry["msgid"]
            if "msgid_plural" in entry:
                if context:
                    got = translation.npgettext(context, msgid, entry["msgid_plural"], 1)
                else:
                    got = translation.ngettext(msgid, entry["msgid_plural"], 1)
                assert got == entry["msgstr[0]"], msgid
            else:
                got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                assert got == entry["msgstr"], msgid


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Sign in", "登录"),
        ("Sign out", "退出登录"),
        ("Property service platform", "物业服务平台"),
        ("Owner records", "业主档案"),
        ("Units", "房屋"),
        ("Work orders", "工单"),
        ("Dashboard", "工作台"),
    ],
)
def test_key_strings_in_chinese_and_english(english, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_model_choices_and_domain_messages_are_translated():
    with translation.override("zh-hans"):
        assert str(Role.OWNER.label) == "业主"
        assert str(Relation.TENANT.label) == "租户"
        assert str(UnitKind.PARKING.label) == "车位"
        assert translation.gettext("Your role may not do this.") == "您的角色无权执行此操作。"
