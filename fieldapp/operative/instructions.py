"""What an operative is told: each active adjustment as a plain instruction, in its place.

Only the instruction reaches the operative: never the officer's detail about why, a diagnosis or
a private note. The catalogue (templates, placement, chips) is data in the database.
"""

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass

from fieldapp.core.catalogues import PARAMETER_FALLBACKS
from fieldapp.core.db import query_all
from fieldapp.core.words import plural, plural_word

SECTIONS = ("before_knock", "at_door", "during_work")


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
    phone: str = ""  # a number to tap, where the adjustment names one (call ahead, advocate)
    detail: str = ""  # the officer's practical note written for staff ("Call Grace, not Michael")


def fill(template: str, parameters: dict) -> str:
    values = _Fallbacks({k: _Value(str(v).strip()) for k, v in parameters.items()
                         if str(v).strip()})
    return " ".join(template.format_map(values).split())


def placeholders(template: str) -> str:
    """The instruction with each parameter shown as [its name], for the officer's form."""
    return template.format_map(_Placeholders())


def _instruction(row: sqlite3.Row) -> Instruction:
    parameters = json.loads(row["parameters"] or "{}")
    return Instruction(
        code=row["type_code"], section=row["briefing_section"],
        text=fill(row["instruction_template"], parameters),
        chip=fill(row["chip_template"] or row["label"], parameters),
        phone=str(parameters.get("phone", "")).strip(), detail=row["detail"])


def active_instructions(db, resident_ids: list[int]) -> dict[int, list[Instruction]]:
    """Each resident's active adjustments as instructions, in catalogue order."""
    if not resident_ids:
        return {}
    marks = ",".join("?" * len(resident_ids))
    rows = query_all(db, f"""
        SELECT adjustments.resident_id, adjustments.type_code, adjustments.parameters,
               adjustments.detail, adjustment_types.label, adjustment_types.instruction_template,
               adjustment_types.briefing_section, adjustment_types.chip_template
        FROM adjustments JOIN adjustment_types ON adjustment_types.code = adjustments.type_code
        WHERE adjustments.resident_id IN ({marks}) AND adjustments.status = 'active'
        ORDER BY adjustment_types.sort_order, adjustments.id""", resident_ids)
    by_resident = defaultdict(list)
    for row in rows:
        by_resident[row["resident_id"]].append(_instruction(row))
    return by_resident


def by_section(instructions: list[Instruction]) -> dict[str, list[Instruction]]:
    sections = {section: [] for section in SECTIONS}
    for instruction in instructions:
        sections[instruction.section].append(instruction)
    return sections
