"""How far each language's catalogue (fieldapp/translations/<code>/LC_MESSAGES/messages.po) is
translated and checked, and what is wrong with it: a string left untranslated, a translation
that loses or changes a placeholder or a tag, a compiled .mo older than its .po.

A translation is "checked" only when its translator comment says so (`# checked by ...`); we mark
every draft `# unchecked` (not Babel's fuzzy flag, which makes compiled catalogues skip the
entry). `python -m fieldapp.core.translation_status` prints each language's problems and exits
1 if there are any (scripts/translations check)."""

import re
import sys
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
TEMPLATE = TRANSLATIONS_DIR / "messages.pot"
UNCHECKED, CHECKED = "unchecked", "checked"
# %(name)s as Python and Jinja's trans blocks write them, {name} as str.format does, and tags.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}|</?[a-z]+\b[^>]*>")


@dataclass(frozen=True)
class LanguageStatus:
    code: str
    strings: int  # how many the English pages hold
    translated: int
    checked: int  # by a qualified translator
    problems: tuple[str, ...]


def catalogue_file(code: str, suffix: str = "po", directory: Path = TRANSLATIONS_DIR) -> Path:
    """Babel names the folder with an underscore: fa-AF's is fa_AF."""
    return directory / code.replace("-", "_") / "LC_MESSAGES" / f"messages.{suffix}"


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def _forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def _ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def _comments(message) -> list[str]:
    return [comment.strip().lower() for comment in message.user_comments]


def language_status(code: str, directory: Path = TRANSLATIONS_DIR) -> LanguageStatus:
    """What the admin's languages page shows and the tests and `check` enforce."""
    path = catalogue_file(code, directory=directory)
    if not path.is_file():
        return LanguageStatus(code, 0, 0, 0, (f"{code}: no catalogue at {path}",))
    with path.open("rb") as file:
        catalogue = read_po(file, locale=code.replace("-", "_"))
    problems, strings, translated, checked = [], 0, 0, 0
    for message in catalogue:
        if not message.id:
            continue  # the header
        strings += 1
        found = message_problems(code, message)
        problems.extend(found)
        if all(_forms(message)):
            translated += 1
            comments = _comments(message)
            checked += not any(comment.startswith(UNCHECKED) for comment in comments) and any(
                comment.startswith(CHECKED) for comment in comments)
    compiled = catalogue_file(code, "mo", directory)
    if not compiled.is_file() or compiled_messages(compiled.read_bytes()) != compiled_messages(
            compiled_bytes(catalogue)):
        problems.append(f"{code}: {compiled} is not compiled from the .po "
                        "(run scripts/translations compile)")
    return LanguageStatus(code, strings, translated, checked, tuple(problems))


def template_strings() -> int:
    """How many strings the English pages hold (the extracted template), for a language with
    no catalogue yet."""
    if not TEMPLATE.is_file():
        return 0
    with TEMPLATE.open("rb") as file:
        return sum(1 for message in read_po(file) if message.id)


def not_ready_to_offer(code: str, name: str, directory: Path = TRANSLATIONS_DIR) -> str | None:
    """Why resident pages cannot be offered in this language yet, in plain words for the admin,
    or None when its catalogue is complete with no problems."""
    status = language_status(code, directory)
    if status.strings and status.translated == status.strings and not status.problems:
        return None
    if status.translated < status.strings or not status.strings:
        strings = status.strings or template_strings()
        return (f"Pages in {name} need a full translation first: {status.translated} of "
                f"{strings} strings translated. A developer adds it (docs/translations.md).")
    return (f"Pages in {name} have {len(status.problems)} translation "
            f"problem{'s' if len(status.problems) != 1 else ''} to fix first, like: "
            f"{status.problems[0]}. A developer fixes them (docs/translations.md).")


def message_problems(code: str, message) -> list[str]:
    name = _ids(message)[0][:60]
    forms = _forms(message)
    if not all(forms):
        return [f"{code}: not translated: {name!r}"]
    problems = []
    if message.fuzzy:
        problems.append(f"{code}: marked fuzzy (compiled catalogues skip it): {name!r}")
    # Every plural form keeps the placeholders of the singular or the plural msgid.
    wanted = {tuple(placeholders(text)) for text in _ids(message)}
    for form in forms:
        if tuple(placeholders(form)) not in wanted:
            problems.append(f"{code}: placeholders or tags changed in {name!r}: "
                            f"{placeholders(form)} instead of {list(sorted(wanted)[0])}")
    comments = _comments(message)
    if not any(comment.startswith((UNCHECKED, CHECKED)) for comment in comments):
        problems.append(f"{code}: say whether a translator checked it ('# unchecked' or "
                        f"'# checked by ...'): {name!r}")
    return problems


def compiled_messages(mo: bytes) -> dict:
    """A compiled catalogue's translations, header aside (it carries the compile's dates)."""
    return {str(message.id): str(message.string) for message in read_mo(BytesIO(mo))
            if message.id}


def compiled_bytes(catalogue) -> bytes:
    buffer = BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    return buffer.getvalue()


def catalogue_codes() -> list[str]:
    return sorted(path.name for path in TRANSLATIONS_DIR.iterdir()
                  if catalogue_file(path.name).is_file()) if TRANSLATIONS_DIR.is_dir() else []


def main() -> int:
    failed = False
    for code in catalogue_codes():
        status = language_status(code)
        print(f"{code}: {status.translated} of {status.strings} translated, "
              f"{status.checked} checked by a translator")
        for problem in status.problems[:25]:
            print("  " + problem)
        if len(status.problems) > 25:
            print(f"  ... and {len(status.problems) - 25} more")
        failed = failed or bool(status.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
