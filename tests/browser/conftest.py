"""Browser fixtures: Debian's Chromium at phone size, axe-core, CSP violation tracking, and the
demo data served on a loopback port."""

from pathlib import Path

import pytest

from fieldapp import create_app

from support import LiveServer, make_demo_database

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = ROOT / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "device_scale_factor": 2,
            "is_mobile": True, "has_touch": True, "locale": "en-GB",
            "timezone_id": "Europe/London"}


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """The app with the demo data (what `flask demo` loads) on a fresh SQLite file, served."""
    path = make_demo_database(tmp_path_factory.mktemp("demo"))
    with LiveServer(create_app({"FIELDAPP_DB": path})) as server:
        yield server


@pytest.fixture
def page(page):
    """The page, failing the test if the browser reports a CSP violation or a script error."""
    problems = []
    page.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    assert not problems, f"browser reported: {problems}"


def assert_accessible(page, context: str = "") -> None:
    """Run axe-core (WCAG 2.0-2.2 A and AA rules) on the page; fail listing each violation."""
    # evaluate() is not subject to the page's CSP, so our strict policy stays on during the check.
    page.evaluate(AXE_SOURCE.read_text() + "\n;0")
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag', values:
        ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})""")
    violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
                  for v in result["violations"]]
    assert not violations, f"axe-core on {context or page.url}:\n" + "\n".join(violations)


def form_names(page) -> list:
    """Each form's accessible name (aria-label, or the text aria-labelledby points at), None
    for a form with no name."""
    return page.evaluate("""() => [...document.querySelectorAll('form')].map(form =>
        form.getAttribute('aria-label') || (form.getAttribute('aria-labelledby') || '')
            .split(' ').map(id => document.getElementById(id)?.textContent.trim() || '')
            .join(' ').trim() || null)""")


def assert_forms_named_apart(page, context: str = "") -> None:
    """Forms that share a page can be told apart by name: at most one (the page's own form) is
    unnamed, and no two share a name."""
    names = form_names(page)
    unnamed = names.count(None)
    named = [name for name in names if name]
    assert unnamed <= 1, f"{context or page.url}: {unnamed} forms have no name: {names}"
    assert len(set(named)) == len(named), f"{context or page.url}: forms share a name: {names}"


def assert_no_horizontal_scroll(page) -> None:
    # Compare with the width the page was laid out for (device-width), not window.innerWidth: a
    # mobile browser widens its layout viewport to fit content that overflows, so innerWidth
    # grows with the overflow and would hide it.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px at {page.url}"


def assert_tap_targets(page) -> None:
    """Every link, button and form control is at least 44 by 44 CSS pixels (WCAG 2.5.5-ish)."""
    small = page.evaluate("""() => [...document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, label[for]')]
        .filter(el => el.offsetParent !== null && !el.closest('.skip-link'))
        // A label is a target only for a radio or checkbox it toggles.
        .filter(el => el.tagName !== 'LABEL'
                || ['radio', 'checkbox'].includes(document.getElementById(el.htmlFor)?.type))
        .map(el => [el, el.getBoundingClientRect()])
        .filter(([el, r]) => (r.height < 44 || r.width < 44)
                 && !(el.tagName === 'A' && el.closest('p, dd, li.chip')))
        .map(([el, r]) => `${el.tagName} "${(el.innerText || el.name || '').trim().slice(0, 30)}"`
             + ` ${Math.round(r.width)}x${Math.round(r.height)}`)""")
    assert not small, f"tap targets under 44px at {page.url}: {small}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in_browser(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
