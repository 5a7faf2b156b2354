"""Compiled templates shared by every app in the process. One deployment may serve many
landlords, an app each (fieldapp.dispatch); without this each app compiled each template on
its first use of a page, in each server process: 50 landlords x 2 processes x every page,
tens of milliseconds each, paid by whoever asked first. Jinja's bytecode cache is its own
extension point for this: the first app to compile a template keeps the code here, and the
others load it (checked against the template's source, so an edited file is compiled again).
"""

import threading

from jinja2 import BytecodeCache


class SharedTemplateCode(BytecodeCache):
    """Jinja's compiled code, by template, in this process's memory."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        with self._lock:
            self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        with self._lock:
            self._code.clear()


SHARED = SharedTemplateCode()


def share_compiled_templates(app) -> None:
    app.jinja_env.bytecode_cache = SHARED


def warm(app) -> int:
    """Loads every page template of the app, so that no request pays for compiling one (and
    every later app finds the code compiled). Returns how many."""
    names = app.jinja_env.list_templates(extensions=["html"])
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
