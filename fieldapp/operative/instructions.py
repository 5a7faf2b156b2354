"""What an operative is told: each active adjustment as a plain instruction, in its place.

Only the instruction and the officer's practical detail written for staff reach the operative:
never a diagnosis or a private note. The catalogue (templates, placement, chips) is data in the
database. `active_instructions` is the one function behind the officer's preview, the resident's
page, the day list's chips and the briefing, so they cannot disagree.

Facts about the resident live on the resident's record, once: the advocate ("Advocate present"
names them) and the language and interpreter arrangement (an instruction of its own, read from
the record with the landlord's interpreting line).
"""

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass

from fieldapp.core.catalogues import (
    INTERPRETER_ARRANGEMENTS,
    INTERPRETER_CHIP,
    NO_INTERPRETING_LINE,
    PARAMETER_FALLBACKS,
    SPEAKS_CHIP,
)
from fieldapp.core.db import query_all
from fieldapp.core.words import plural, plural_word

SECTIONS = ("before_knock", "at_door", "during_work")
INTERPRETER = "interpreter"
ARRANGEMENT_WORDS = {code: words for code, _label, words in INTERPRETER_ARRANGEMENTS}


class _Value(str):
    """A parameter that can count: "{n:person}" gives "1 person" or "3 people"."""

    def __format__(self, noun: str) -> str:
        if not noun:
            return str(self)
        if self.isdigit():
            return plural(int(self), noun)
        return f"{self} {plural_word(2, noun)}"


class _Fallbacks(dict):
    def __missing__(self, key: str) -> str:
        return _Value(PARAMETER_FALLBACKS.get(key, ""))


class _Placeholders(dict):
    def __missing__(self, key: str) -> str:
        return _Value(f"[{key}]")


@dataclass(frozen=True)
class Instruction:
    code: str
    section: str
    text: str
    chip: str
    phone: str = ""  # a number to tap, where the instruction names one (call ahead, advocate)
    detail: str = ""  # the officer's practical note written for staff ("Call Grace, not Michael")
    sort_order: int = 0
    phone_label: str = "Call"  # the words on the tap-to-call button


def fill(template: str, parameters: dict) -> str:
    values = _Fallbacks({k: _Value(str(v).strip()) for k, v in parameters.items()
                         if str(v).strip()})
    return " ".join(template.format_map(values).split())


def placeholders(template: str) -> str:
    """The instruction with each parameter shown as [its name], for the officer's form."""
    return template.format_map(_Placeholders())


def _instruction(row: sqlite3.Row) -> Instruction:
    parameters = json.loads(row["parameters"] or "{}")
    # The advocate is the one on the resident's record: no adjustment keeps a copy.
    names_advocate = "{advocate}" in row["instruction_template"]
    if names_advocate:
        parameters["advocate"] = row["advocate_name"]
    phone = row["advocate_phone"] if names_advocate else parameters.get("phone", "")
    return Instruction(
        code=row["type_code"], section=row["briefing_section"],
        text=fill(row["instruction_template"], parameters),
        chip=fill(row["chip_template"] or row["label"], parameters),
        phone=str(phone or "").strip(), detail=row["detail"], sort_order=row["sort_order"],
        phone_label=f"Call {row['advocate_name']}" if names_advocate and row["advocate_name"]
        else "Call")


def language_name(row) -> str:
    """The resident's language in English words: from the list, or as the officer wrote it
    before the list (still to be chosen), or empty."""
    return row["language_name"] or row["language_to_check"] or ""


def interpreting(row) -> Instruction | None:
    """The resident's language and interpreter arrangement as one plain instruction, or None
    for an English speaker who needs no interpreter."""
    arrangement = row["interpreter"] or "not_needed"
    if arrangement == "not_needed" and row["language"] in ("en", ""):
        return None
    language = language_name(row) or "a language we have not recorded yet"
    text = ARRANGEMENT_WORDS[arrangement].format(language=language)
    phone = row["interpreting_phone"] if arrangement == "phone" else ""
    if arrangement == "phone" and not phone:
        text = f"{text} {NO_INTERPRETING_LINE}"
    chip = (SPEAKS_CHIP if arrangement == "not_needed" else INTERPRETER_CHIP).format(
        language=language_name(row) or "ask the office")
    return Instruction(code=INTERPRETER, section=row["section"], text=text, chip=chip,
                       phone=phone, sort_order=row["sort_order"],
                       phone_label="Call the interpreting line")


def active_instructions(db, resident_ids: list[int]) -> dict[int, list[Instruction]]:
    """Each resident's active adjustments as instructions, in catalogue order, with the
    interpreting instruction from their record in its catalogue place."""
    if not resident_ids:
        return {}
    marks = ",".join("?" * len(resident_ids))
    rows = query_all(db, f"""
        SELECT adjustments.resident_id, adjustments.type_code, adjustments.parameters,
               adjustments.detail, adjustment_types.label, adjustment_types.instruction_template,
               adjustment_types.briefing_section, adjustment_types.chip_template,
               adjustment_types.sort_order, residents.advocate_name, residents.advocate_phone
        FROM adjustments JOIN adjustment_types ON adjustment_types.code = adjustments.type_code
        JOIN residents ON residents.id = adjustments.resident_id
        WHERE adjustments.resident_id IN ({marks}) AND adjustments.status = 'active'
        ORDER BY adjustment_types.sort_order, adjustments.id""", resident_ids)
    by_resident = defaultdict(list)
    for row in rows:
        by_resident[row["resident_id"]].append(_instruction(row))
    for row in query_all(db, f"""
            SELECT residents.id, residents.language, residents.language_to_check,
                   residents.interpreter, languages.name AS language_name,
                   landlord.interpreting_phone, adjustment_types.briefing_section AS section,
                   adjustment_types.sort_order
            FROM residents
            JOIN organisations AS landlord ON landlord.id = residents.landlord_id
            JOIN adjustment_types ON adjustment_types.code = '{INTERPRETER}'
            LEFT JOIN languages ON languages.code = residents.language
            WHERE residents.id IN ({marks})""", resident_ids):
        instruction = interpreting(row)
        if instruction:
            by_resident[row["id"]].append(instruction)
            by_resident[row["id"]].sort(key=lambda i: i.sort_order)
    return by_resident


def by_section(instructions: list[Instruction]) -> dict[str, list[Instruction]]:
    sections = {section: [] for section in SECTIONS}
    for instruction in instructions:
        sections[instruction.section].append(instruction)
    return sections
