"""Page checks every test of a page can call: one h1, labelled inputs, unique ids, CSRF tokens."""

from html.parser import HTMLParser

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.h1_count = 0
        self.ids: list[str] = []
        self.label_targets: set[str] = set()
        self.fields: list[dict] = []
        self.forms: list[dict] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "h1":
            self.h1_count += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "label" and attributes.get("for"):
            self.label_targets.add(attributes["for"])
        elif tag == "form":
            self.forms.append({"method": (attributes.get("method") or "get").lower(),
                               "csrf": False})
        elif tag in ("input", "select", "textarea"):
            self._field(tag, attributes)

    def _field(self, tag, attributes):
        if tag == "input" and attributes.get("name") == "csrf_token" and self.forms:
            self.forms[-1]["csrf"] = True
        if tag != "input" or (attributes.get("type") or "text") not in UNLABELLED_TYPES:
            self.fields.append(attributes)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def check_page(html: str) -> _PageParser:
    """Assert the house rules for a page; returns the parsed page for further checks."""
    page = _PageParser()
    page.feed(html)
    assert page.h1_count == 1, f"expected one h1, found {page.h1_count}"
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates, f"duplicate ids: {sorted(duplicates)}"
    for field in page.fields:
        assert field.get("id") in page.label_targets or field.get("aria-label"), \
            f"input without a label: {field}"
    for form in page.forms:
        if form["method"] == "post":
            assert form["csrf"], "a POST form without a CSRF token"
    assert page.title.strip(), "page has no title"
    return page


def assert_field_error(html: str, field: str, message: str) -> None:
    """The GOV.UK pattern: the message in the error summary, linked to the field, and again
    next to the field; the page title starts with "Error: "."""
    import re

    assert "<title>Error: " in html, "the title should start with 'Error: '"
    summary = re.search(r'class="error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary"
    assert re.search(rf'href="#{re.escape(field)}(-0)?">[^<]*{re.escape(message)}',
                     summary.group(0)), f"{message!r} not linked to #{field} in the summary"
    beside = re.search(rf'id="{re.escape(field)}-error">.*?</p>', html, re.S)
    assert beside and message in beside.group(0), f"{message!r} not shown next to {field}"
