"""The route access table: every route, every kind of person, the answer each must get.

A new route fails `test_every_route_has_a_row` until it is added here with its rule, so no
route can ship without someone deciding who may open it.
"""

import pytest

from support import PEOPLE, csrf_token_from, sign_in_quickly

PERSONS = ["anonymous", "operative", "other_firm_operative", "officer",
           "other_landlord_officer", "admin", "other_landlord_admin", "supervisor"]
# What must never appear in a page answered to someone outside Riverside Homes or Acme.
RIVERSIDE_SECRETS = ["Rita Resident", "operative@acme.test", "Testville", "1 Test Street",
                     "JOB-1"]


def allow(answers: dict, others: int = 403) -> dict:
    """Anonymous people are sent to sign in; the persons named get their answer; others `others`."""
    return {person: answers.get(person, 302 if person == "anonymous" else others)
            for person in PERSONS}


ADMINS = {"admin": 200, "other_landlord_admin": 200}
ADMIN_OF_RIVERSIDE = {"admin": 200, "other_landlord_admin": 404}
ADMIN_ACTION = {"admin": 303, "other_landlord_admin": 404}
EVERYONE_SIGNED_IN = {p: 302 for p in PERSONS}
OFFICE = {"officer": 200, "admin": 200, "other_landlord_officer": 200,
          "other_landlord_admin": 200}
OFFICE_OF_RIVERSIDE = {"officer": 200, "admin": 200, "other_landlord_officer": 404,
                       "other_landlord_admin": 404}
OFFICE_ACTION = {"officer": 303, "admin": 303, "other_landlord_officer": 404,
                 "other_landlord_admin": 404}
ONLY_RECIPIENT = {"admin": 404, "other_landlord_officer": 404, "other_landlord_admin": 404}
# The operative attending sees their visit; another firm's operative learns nothing (404).
PUSHED_STAFF = {"supervisor": 200, "operative": 200, "other_firm_operative": 200}
OWN_VISIT = {"operative": 200, "other_firm_operative": 404, "other_landlord_operative": 404}

# endpoint: (method, url with {world} placeholders, {person: status})
ACCESS_TABLE = {
    "static": ("GET", "/static/css/app.css", {p: 200 for p in PERSONS}),
    "auth.login": ("GET", "/login", {**EVERYONE_SIGNED_IN, "anonymous": 200}),
    "auth.logout": ("POST", "/logout", {**{p: 303 for p in PERSONS}, "anonymous": 302}),
    "auth.home": ("GET", "/", EVERYONE_SIGNED_IN),
    # Passkeys: everyone's own account page; a JSON ceremony refuses an empty post (400/422)
    # only after access is granted. Signing in with one is open to all.
    "passkeys.account": ("GET", "/account", {**{p: 200 for p in PERSONS}, "anonymous": 302}),
    "passkeys.add_options": ("POST", "/account/passkeys/options", {
        **{p: 422 for p in PERSONS}, "anonymous": 302}),
    "passkeys.add_passkey": ("POST", "/account/passkeys", {
        **{p: 422 for p in PERSONS}, "anonymous": 302}),
    # Only one's own passkey: the admin's (world) passkey is another person's to everyone else.
    "passkeys.remove_passkey": ("POST", "/account/passkeys/{admin_passkey}/remove", {
        **{p: 404 for p in PERSONS}, "admin": 303, "anonymous": 302}),
    "passkeys.sign_in_options": ("POST", "/login/passkey/options", {p: 200 for p in PERSONS}),
    "passkeys.sign_in": ("POST", "/login/passkey", {p: 400 for p in PERSONS}),
    # Whoever has passed (admins of the world) or needs no second factor is sent on.
    "passkeys.confirm": ("GET", "/account/confirm", EVERYONE_SIGNED_IN),
    "passkeys.confirm_options": ("POST", "/account/confirm/options", {
        **{p: 400 for p in PERSONS}, "admin": 200, "other_landlord_admin": 200,
        "anonymous": 302}),
    "passkeys.confirm_passkey": ("POST", "/account/confirm", {
        **{p: 400 for p in PERSONS}, "anonymous": 302}),
    "operative.today": ("GET", "/today", allow({"operative": 200, "other_firm_operative": 200})),
    "briefing.briefing": ("GET", "/visits/{today}", allow(OWN_VISIT)),
    "briefing.distress": ("GET", "/visits/{today}/distress", allow(OWN_VISIT)),
    "idcard.id_card": ("GET", "/visits/{today}/id-card", allow(OWN_VISIT)),
    # Every signed-in person sees only their own photo: 404 for those with none.
    "idcard.my_photo": ("GET", "/me/photo", {**{p: 404 for p in PERSONS}, "operative": 200,
                                             "anonymous": 302}),
    "logs.log_form": ("GET", "/visits/{today}/log", allow(OWN_VISIT)),
    # An empty log is refused (422/400) only after access is granted.
    "logs.submit_log": ("POST", "/visits/{today}/log", allow({**OWN_VISIT, "operative": 422})),
    "logs.logged": ("GET", "/visits/{today}/logged", allow({**OWN_VISIT, "operative": 302})),
    # The phone's outbox must see a signed-out answer (401), not a sign-in page.
    "logs.api_logs": ("POST", "/api/logs", allow({"operative": 400, "other_firm_operative": 400,
                                                  "anonymous": 401})),
    # Photos of the work: the visit's operatives and its landlord's office; no one else.
    "logs.operative_photo": ("GET", "/visits/{today}/photos/{photo}", allow(OWN_VISIT)),
    "logs.office_photo": ("GET", "/schedule/{today}/photos/{photo}",
                          allow(OFFICE_OF_RIVERSIDE)),
    "alerts.inbox": ("GET", "/inbox", allow(OFFICE)),
    # Only the officer the alert was sent to: everyone else learns nothing (404).
    "alerts.alert": ("GET", "/alerts/{alert}", allow({**ONLY_RECIPIENT, "officer": 200})),
    "alerts.acknowledge": ("POST", "/alerts/{alert}/acknowledge",
                           allow({**ONLY_RECIPIENT, "officer": 303})),
    "alerts.close": ("POST", "/alerts/{alert}/close", allow({**ONLY_RECIPIENT, "officer": 422})),
    "offline.service_worker": ("GET", "/sw.js", {p: 200 for p in PERSONS}),
    "offline.manifest": ("GET", "/manifest.webmanifest", {p: 200 for p in PERSONS}),
    "offline.offline_page": ("GET", "/offline", {p: 200 for p in PERSONS}),
    # Open without a session: a signed-out or disabled operative can read the logs still on
    # their phone (the page holds no data; the phone does).
    "offline.outbox": ("GET", "/outbox", {p: 200 for p in PERSONS}),
    "offline.session_info": ("GET", "/api/session", {**{p: 200 for p in PERSONS},
                                                     "anonymous": 401}),
    "offline.offline_pack": ("GET", "/api/offline-pack", allow(
        {"operative": 200, "other_firm_operative": 200, "anonymous": 401})),
    # Supervisors have an inbox (their team page) and push too; operatives have push for the
    # check-in reminder, which must reach a phone whose browser is closed.
    "push.settings": ("GET", "/settings/notifications", allow({**OFFICE, **PUSHED_STAFF})),
    # A form post is not a subscription: refused (400) only after access is granted.
    "push.subscribe": ("POST", "/push/subscriptions",
                       allow({p: 400 for p in [*OFFICE, *PUSHED_STAFF]})),
    "push.unsubscribe": ("POST", "/push/subscriptions/delete",
                         allow({**OFFICE, **PUSHED_STAFF})),
    # Only one's own device: the world has none, so an id nobody has (404 once allowed in);
    # tests/test_push.py removes a real one and asks as another person (404).
    "push.remove_device": ("POST", "/push/subscriptions/999999/remove",
                           allow({p: 404 for p in [*OFFICE, *PUSHED_STAFF]})),
    "push.send_test": ("POST", "/push/test", allow({p: 303 for p in [*OFFICE, *PUSHED_STAFF]})),
    "verify.verify": ("GET", "/verify/not-a-valid-token", {p: 200 for p in PERSONS}),
    # The operative's photo goes only to a token that names a real booking: a bad one is 404.
    "verify.photo": ("GET", "/verify/not-a-valid-token/photo", {p: 404 for p in PERSONS}),
    # Residents have no account: the signed link is the key, and a bad one gets a calm page.
    "voice.feedback": ("GET", "/f/not-a-valid-token", {p: 200 for p in PERSONS}),
    "voice.rebook": ("GET", "/r/not-a-valid-token", {p: 200 for p in PERSONS}),
    "choice.times": ("GET", "/t/not-a-valid-token", {p: 200 for p in PERSONS}),
    # A link that is not ours answers with the calm "this link does not work" page.
    "choice.undo": ("POST", "/t/not-a-valid-token/undo", {p: 200 for p in PERSONS}),
    "choice.wish": ("POST", "/t/not-a-valid-token/wish", {p: 200 for p in PERSONS}),
    "choice.offer_times": ("GET", "/schedule/{today}/times", allow(OFFICE_OF_RIVERSIDE)),
    # Nothing the resident said to turn into an adjustment yet: 404 once access is granted.
    "choice.wish_to_adjustment": ("POST", "/schedule/{today}/times/adjustment",
                                  allow({p: 404 for p in OFFICE})),
    # The landlord's available slots: office staff keep them; no slot 999999 for anyone.
    "choice.slots": ("GET", "/slots", allow(OFFICE)),
    "choice.remove_slot": ("POST", "/slots/999999/remove", allow({p: 404 for p in OFFICE})),
    "voice.send_feedback_link": ("POST", "/schedule/{today}/feedback-link",
                                 allow(OFFICE_ACTION)),
    "residents.search": ("GET", "/residents", allow(OFFICE)),
    "residents.new_resident": ("GET", "/residents/new", allow(OFFICE)),
    "residents.resident": ("GET", "/residents/{resident}", allow(OFFICE_OF_RIVERSIDE)),
    "residents.edit_resident": ("GET", "/residents/{resident}/edit",
                                allow(OFFICE_OF_RIVERSIDE)),
    "residents.notes": ("GET", "/residents/{resident}/notes", allow(OFFICE_OF_RIVERSIDE)),
    "adjustments.choose_type": ("GET", "/residents/{resident}/adjustments/new",
                                allow(OFFICE_OF_RIVERSIDE)),
    "adjustments.add": ("GET", "/residents/{resident}/adjustments/new/noise_warning",
                        allow(OFFICE_OF_RIVERSIDE)),
    "adjustments.edit": ("GET", "/adjustments/{adjustment}/edit", allow(OFFICE_OF_RIVERSIDE)),
    "adjustments.review": ("GET", "/adjustments/{adjustment}/review",
                           allow(OFFICE_OF_RIVERSIDE)),
    "adjustments.due": ("GET", "/adjustments/due", allow(OFFICE)),
    "schedule.new_visit": ("GET", "/schedule/new?resident={resident}",
                           allow(OFFICE_OF_RIVERSIDE)),
    "schedule.visit": ("GET", "/schedule/{today}", allow(OFFICE_OF_RIVERSIDE)),
    "schedule.confirm_cancel": ("GET", "/schedule/{today}/cancel", allow(OFFICE_OF_RIVERSIDE)),
    # A cancellation with no reason is refused (422) only after access is granted.
    "schedule.cancel": ("POST", "/schedule/{today}/cancel", allow(
        {**OFFICE_ACTION, "officer": 422, "admin": 422})),
    # An empty step is refused (422) only after access is granted.
    "schedule.add_step": ("POST", "/schedule/{today}/steps", allow(
        {**OFFICE_ACTION, "officer": 422, "admin": 422})),
    "schedule.edit_step": ("GET", "/schedule/{today}/steps/{step}/edit",
                           allow(OFFICE_OF_RIVERSIDE)),
    "schedule.move_step": ("POST", "/schedule/{today}/steps/{step}/move",
                           allow(OFFICE_ACTION)),
    "schedule.delete_step": ("POST", "/schedule/{today}/steps/{step}/delete",
                             allow(OFFICE_ACTION)),
    "schedule.upload": ("GET", "/schedule/import", allow(OFFICE)),
    "schedule.preview": ("GET", "/schedule/import/{visit_import}", allow(OFFICE_OF_RIVERSIDE)),
    "schedule.run_import": ("POST", "/schedule/import/{visit_import}", allow(OFFICE_ACTION)),
    "schedule.import_format": ("GET", "/schedule/import/format", allow(OFFICE)),
    "callers.check_caller": ("GET", "/check-caller", allow(OFFICE)),
    # The code is POSTed; an empty one is refused (422) only after access is granted.
    "callers.look_up_caller": ("POST", "/check-caller",
                               allow({person: 422 for person in OFFICE})),
    # Each landlord sees only its own figures: the other landlord's people get theirs (200).
    "measures.measures": ("GET", "/measures", allow(OFFICE)),
    "measures.export_csv": ("GET", "/measures/export.csv", allow(OFFICE)),
    "admin.users": ("GET", "/admin/users", allow(ADMINS)),
    "admin.languages": ("GET", "/admin/languages", allow(ADMINS)),
    # The languages list belongs to the installation: every admin adds and offers languages.
    "admin.new_language": ("GET", "/admin/languages/new", allow(ADMINS)),
    "admin.offer_language": ("POST", "/admin/languages/pl/offer",
                             allow({"admin": 303, "other_landlord_admin": 303})),
    "admin.stop_language": ("POST", "/admin/languages/pl/stop",
                            allow({"admin": 303, "other_landlord_admin": 303})),
    "admin.new_user": ("GET", "/admin/users/new", allow(ADMINS)),
    "admin.edit_user": ("GET", "/admin/users/{operative}/edit", allow(ADMIN_OF_RIVERSIDE)),
    "admin.confirm_disable_user": ("GET", "/admin/users/{operative}/disable",
                                   allow(ADMIN_OF_RIVERSIDE)),
    "admin.disable_user": ("POST", "/admin/users/{operative}/disable", allow(ADMIN_ACTION)),
    "admin.enable_user": ("POST", "/admin/users/{operative}/enable", allow(ADMIN_ACTION)),
    "admin.user_photo": ("GET", "/admin/users/{operative}/photo", allow(ADMIN_OF_RIVERSIDE)),
    "admin.organisations": ("GET", "/admin/organisations", allow(ADMINS)),
    # Jobs belong to the installation: every admin sees the failed ones (kind and error type).
    "admin.failed_jobs": ("GET", "/admin/jobs", allow(ADMINS)),
    "admin.retry_job": ("POST", "/admin/jobs/999999/retry",
                        allow({"admin": 404, "other_landlord_admin": 404})),
    "admin.new_organisation": ("GET", "/admin/organisations/new", allow(ADMINS)),
    # Messages to residents: the landlord's office only; operatives never see them.
    "messages.message": ("GET", "/messages/{message}", allow(OFFICE_OF_RIVERSIDE)),
    "messages.letter": ("GET", "/messages/{message}/letter.pdf", allow(OFFICE_OF_RIVERSIDE)),
    "messages.send_again": ("POST", "/messages/{message}/again", allow(OFFICE_ACTION)),
    "messages.calls": ("GET", "/messages/calls", allow(OFFICE)),
    # The world's message is a letter, not a call: a call is marked once (409 otherwise).
    "messages.called": ("POST", "/messages/{message}/called", allow(
        {**OFFICE_ACTION, "officer": 409, "admin": 409})),
    "messages.templates": ("GET", "/messages/templates", allow(ADMINS)),
    # Check in and out: only the operative attending; an empty form is sent back to the
    # briefing (303) with its message, after access is granted.
    "checkin.check_in": ("POST", "/visits/{today}/check-in",
                         allow({**OWN_VISIT, "operative": 303})),
    "checkin.extend": ("POST", "/visits/{today}/extend", allow({**OWN_VISIT, "operative": 303})),
    "checkin.check_out": ("POST", "/visits/{today}/check-out",
                          allow({**OWN_VISIT, "operative": 303})),
    "checkin.need_help": ("POST", "/visits/{today}/help", allow({**OWN_VISIT, "operative": 303})),
    "checkin.call_me_back": ("POST", "/visits/{today}/call-me-back",
                             allow({**OWN_VISIT, "operative": 303})),
    # The phone's outbox must see a signed-out answer (401), not a sign-in page.
    "checkin.api_checkins": ("POST", "/api/checkins", allow(
        {"operative": 400, "other_firm_operative": 400, "anonymous": 401})),
    # A firm's supervisor only: officers and admins see their escalations in their inbox.
    "team.team": ("GET", "/team", allow({"supervisor": 200})),
    # Only a step sent to this supervisor: there is none in the world (404).
    "team.acknowledge": ("POST", "/team/escalations/999999/acknowledge",
                         allow({"supervisor": 404})),
    "admin.edit_organisation": ("GET", "/admin/organisations/{acme}/edit",
                                allow(ADMIN_OF_RIVERSIDE)),
    # Pauses: the landlord's office only; the reason is special-category data. The world has
    # no pause, so the routes of one are asked with an id nobody has (404 once allowed in);
    # tests/test_pauses.py asks another landlord's officer about a real one.
    "pauses.new_pause": ("GET", "/residents/{resident}/pause/new", allow(OFFICE_OF_RIVERSIDE)),
    "pauses.pause": ("GET", "/pauses/999999", allow({p: 404 for p in OFFICE})),
    "pauses.end_pause": ("POST", "/pauses/999999/end", allow({p: 404 for p in OFFICE})),
    "pauses.keep_visit": ("POST", "/pauses/999999/visits/{today}/keep",
                          allow({p: 404 for p in OFFICE})),
    "pauses.cancel_visit": ("POST", "/pauses/999999/visits/{today}/cancel",
                            allow({p: 404 for p in OFFICE})),
    "pauses.move_visit": ("GET", "/pauses/999999/visits/{today}/move",
                          allow({p: 404 for p in OFFICE})),
    "pauses.partner_links": ("GET", "/partners", allow(OFFICE)),
    "pauses.revoke_partner_link": ("POST", "/partners/999999/revoke",
                                   allow({p: 404 for p in OFFICE})),
    "pauses.partner_news": ("GET", "/partners/news", allow(OFFICE)),
    "pauses.confirm_discharge": ("POST", "/partners/news/999999/discharge",
                                 allow({p: 404 for p in OFFICE})),
    "pauses.dismiss_report": ("POST", "/partners/news/999999/dismiss",
                              allow({p: 404 for p in OFFICE})),
    # A partner has no account: the signed link is the key; a bad one gets a calm page.
    "pauses.partner": ("GET", "/p/not-a-valid-token", {p: 200 for p in PERSONS}),
    "pathways.pathway": ("GET", "/residents/{resident}/pathway", allow(OFFICE_OF_RIVERSIDE)),
    "pathways.team_inbox": ("GET", "/admin/team-inbox", allow(ADMINS)),
    "referrals.directory": ("GET", "/admin/referral-routes", allow(ADMINS)),
    "referrals.new_route": ("GET", "/admin/referral-routes/new", allow(ADMINS)),
    # Only the landlord's own routes: national lines and another landlord's are a 404.
    "referrals.edit_route": ("GET", "/admin/referral-routes/{referral_route}/edit",
                             allow(ADMIN_OF_RIVERSIDE)),
    "referrals.disable_route": ("POST", "/admin/referral-routes/{referral_route}/disable",
                                allow(ADMIN_ACTION)),
    "referrals.enable_route": ("POST", "/admin/referral-routes/{referral_route}/enable",
                               allow(ADMIN_ACTION)),
    "referrals.refer": ("GET", "/alerts/{alert}/refer", allow({**ONLY_RECIPIENT, "officer": 200})),
}


def test_every_route_has_a_row(app):
    missing = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(ACCESS_TABLE))
    assert not missing, f"add these routes to ACCESS_TABLE: {missing}"


def test_every_view_declares_its_access_rule(app):
    undeclared = [endpoint for endpoint, view in app.view_functions.items()
                  if endpoint != "static" and not hasattr(view, "access_rule")]
    assert not undeclared, f"wrap these views in public/signed_in/roles: {undeclared}"


def _client_for(app, person: str):
    if person == "anonymous":
        return app.test_client()
    return sign_in_quickly(app, PEOPLE[person][0])


def _token(client) -> str:
    page = client.get("/", follow_redirects=True)
    return csrf_token_from(page.get_data(as_text=True))


# Two more operatives, each asking with ids that are not theirs: a colleague in the same firm
# who is not on the visit, and an operative of another landlord's firm. Each must get what
# another firm's operative gets: nothing more.
SWEEP_PERSONS = [*PERSONS, "colleague", "other_landlord_operative"]


def expected_for(expected: dict, person: str) -> int:
    return expected.get(person, expected["other_firm_operative"])


@pytest.mark.parametrize("person", SWEEP_PERSONS)
@pytest.mark.parametrize("endpoint", sorted(ACCESS_TABLE))
def test_access_table(app, world, person, endpoint):
    method, url_template, expected = ACCESS_TABLE[endpoint]
    url = url_template.format(**world.users, **world.orgs, **world.visits,
                              **world.residents_and_more)
    client = _client_for(app, person)
    if method == "POST":
        response = client.post(url, data={"csrf_token": _token(client)})
    else:
        response = client.get(url)
    assert response.status_code == expected_for(expected, person), f"{person} {method} {url}"
    if person.startswith("other_") or person == "colleague" or response.status_code in (
            401, 403, 404):
        body = response.get_data(as_text=True)
        leaked = [secret for secret in RIVERSIDE_SECRETS if secret in body]
        assert not leaked, f"{person} saw {leaked} at {url}"
