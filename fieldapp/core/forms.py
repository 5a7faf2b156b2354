"""What every form page shares: the status a page answers with once a form was checked."""

from flask import render_template


def form_status(form) -> int:
    """422 when the form (or a check across its fields) found a problem, else 200: a browser
    shows the page either way, and a script or test can tell a refusal from a success."""
    return 422 if form.errors or getattr(form, "form_errors", None) else 200


def render_form(template: str, form, **context) -> tuple[str, int]:
    """The page with the form re-rendered as it was sent, and the status that says whether
    it was refused."""
    return render_template(template, form=form, **context), form_status(form)
