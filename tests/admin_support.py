"""Form checks for the admin tests: the GOV.UK error pattern, the answers a re-rendered form
keeps, and a snapshot of every table an admin's change may touch."""

from html.parser import HTMLParser

from markupsafe import escape

from pages import check_page

NEW_PASSWORD = "a brand new passphrase"
# What an admin's change may touch; "nothing was written" compares these before and after.
WRITTEN_TABLES = ("users", "user_photos", "user_sessions", "organisations", "audit_log")


class _FormAnswers(HTMLParser):
    """The answers a re-rendered form holds: input values, the checked radio, the selection."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.answers: dict[str, str | None] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and name != "csrf_token":
            if attributes.get("type") == "radio":
                self.answers.setdefault(name, None)
                if "checked" in attributes:
                    self.answers[name] = attributes.get("value")
            elif attributes.get("type") != "file":
                self.answers[name] = attributes.get("value")
        elif tag == "select":
            self._select = name
            self.answers[name] = None
        elif tag == "option" and self._select and "selected" in attributes:
            self.answers[self._select] = attributes.get("value")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_answers(html: str) -> dict[str, str | None]:
    parser = _FormAnswers()
    parser.feed(html)
    return parser.answers


def assert_form_error(response, field: str, message: str, anchor: str | None = None) -> str:
    """422, the message in the summary (linking to the field) and next to it, "Error: " title."""
    assert response.status_code == 422, response.status_code
    html = response.get_data(as_text=True)
    page = check_page(html)
    assert page.title.strip().startswith("Error: ")
    assert "There is a problem" in html
    assert f'<a href="#{anchor or field}">{escape(message)}</a>' in html, \
        f"{message!r} not in the error summary"
    assert (f'<p class="field-error" id="{field}-error"><span class="visually-hidden">Error:'
            f'</span> {escape(message)}</p>') in html, f"{message!r} not next to {field}"
    return html


def snapshot(db) -> dict:
    return {table: [tuple(row) for row in db.execute(f"SELECT * FROM {table} ORDER BY rowid")]
            for table in WRITTEN_TABLES}



def new_user_answers(world, **changes) -> dict:
    answers = {"name": "Nadia Newcomer", "email": "nadia@acme.test", "role": "operative",
               "organisation_id": str(world.orgs["acme"]), "badge_number": "B-77",
               "phone": "", "supervisor_phone": "0113 496 0101", "password": NEW_PASSWORD}
    answers.update(changes)
    return {key: value for key, value in answers.items() if value is not None}


