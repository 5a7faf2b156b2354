"""Admin: background jobs that stopped after failing, and trying one again.

Jobs belong to the installation, not to one landlord, so the page shows what kind of job failed,
when and the kind of error, never its payload or the error's message (which can name a
device's push address).
"""

from flask import abort, flash, redirect, render_template, url_for

from fieldapp.admin import bp
from fieldapp.core import audit, jobs
from fieldapp.core.access import ADMIN_ROLES, roles
from fieldapp.core.db import get_db, transaction


@bp.get("/jobs")
@roles(*ADMIN_ROLES)
def failed_jobs():
    db = get_db()
    return render_template("admin/jobs.html", jobs=jobs.failed_jobs(db), counts=jobs.counts(db),
                           max_attempts=jobs.MAX_ATTEMPTS)


@bp.post("/jobs/<int:job_id>/retry")
@roles(*ADMIN_ROLES)
def retry_job(job_id: int):
    db = get_db()
    with transaction(db):
        if not jobs.retry(db, job_id):
            abort(404)
        audit.record("job_retried", "job", job_id, db=db)
    flash("The job will be tried again in the next minute.", "success")
    return redirect(url_for("admin.failed_jobs"), code=303)
