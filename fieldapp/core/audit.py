"""The audit log: who did what to which record, when and from where. Never the data itself."""

from flask import has_request_context, request
from flask_login import current_user

from fieldapp.core.db import get_db, transaction, utc_now


def record(action: str, record_type: str = "", record_id: object = "", user_id: int | None = None,
           db=None) -> None:
    db = db if db is not None else get_db()
    if user_id is None and has_request_context() and current_user.is_authenticated:
        user_id = current_user.id
    address = (request.remote_addr or "") if has_request_context() else "cli"
    with transaction(db):
        db.execute("INSERT INTO audit_log (at, user_id, action, record_type, record_id, address) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   (utc_now(), user_id, action, record_type, str(record_id), address))
