"""The `fieldapp` command: migrate, create accounts, load demo data, serve."""

import os
import signal
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup

from fieldapp.accounts.organisations import create_landlord
from fieldapp.accounts.queries import create_user, email_taken
from fieldapp.core import db as database
from fieldapp.core import migrations
from fieldapp.core.access import ROLES
from fieldapp.core.db import query_one
from fieldapp.devdata.demo import DEMO_PASSWORD, DemoRefused, load_demo

MIN_PASSWORD_LENGTH = 12


def _db():
    return database.connect(current_app.config["FIELDAPP_DB"])


def _migrated_db():
    db = _db()
    migrations.apply(db)
    return db


@click.command("migrate")
def migrate_command():
    """Create the database or bring its schema up to date."""
    db = _db()
    pending = [m.name for m in migrations.migrations.pending(db)]
    migrations.apply(db)
    click.echo(f"Applied {len(pending)} migration(s) to {current_app.config['FIELDAPP_DB']}.")


@click.command("create-landlord")
@click.option("--name", required=True, help="The landlord's name, as residents know it.")
@click.option("--web-address", default="", help="Its public site, like https://www.example.org")
@click.option("--main-phone", default="")
@click.option("--duty-phone", default="", help="Duty or out-of-hours line.")
@click.option("--safeguarding-phone", default="")
def create_landlord_command(name, web_address, main_phone, duty_phone, safeguarding_phone):
    """Add a landlord organisation (the first step on a new installation)."""
    db = _migrated_db()
    landlord_id = create_landlord(db, name=name, web_address=web_address, main_phone=main_phone,
                                  duty_phone=duty_phone, safeguarding_phone=safeguarding_phone)
    click.echo(f"Created landlord {name!r} with id {landlord_id}.")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--organisation", "organisation_id", type=int, required=True,
              help="Organisation id (see create-landlord's output or the admin pages).")
@click.option("--badge", default="", help="Badge number (operatives).")
@click.password_option(help="Prompted for when not given; or set FIELDAPP_PASSWORD.",
                       envvar="FIELDAPP_PASSWORD")
def create_user_command(email, name, role, organisation_id, badge, password):
    """Add a user who can sign in straight away."""
    db = _migrated_db()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.UsageError(f"The password must be {MIN_PASSWORD_LENGTH} characters or more.")
    if email_taken(db, email):
        raise click.UsageError(f"{email} already has an account.")
    if query_one(db, "SELECT id FROM organisations WHERE id = ?", (organisation_id,)) is None:
        raise click.UsageError(f"There is no organisation with id {organisation_id}.")
    user_id = create_user(db, name=name, email=email, password=password, role=role,
                          organisation_id=organisation_id, badge_number=badge)
    click.echo(f"Created {role} {email} (user {user_id}).")


@click.command("demo")
def demo_command():
    """Load the demo landlord, firms, accounts, residents and visits into a new database."""
    if current_app.config["FIELDAPP_ENV"] == "production":
        raise click.ClickException("Demo data is never loaded with FIELDAPP_ENV=production.")
    db = _migrated_db()
    try:
        demo_accounts = load_demo(db)
    except DemoRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    click.echo(f"Demo data loaded into {current_app.config['FIELDAPP_DB']}.")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, name, role in demo_accounts:
        click.echo(f"  {email:<24} {role:<10} {name}")


@click.command("bench-data")
@click.option("--homes", default=30_000, type=click.IntRange(10, 1_000_000), show_default=True)
@click.option("--years", default=1.0, type=click.FloatRange(0.05, 10), show_default=True)
def bench_data_command(homes, years):
    """Fill a new database with borough-sized data for benchmarks (demo accounts included)."""
    import time

    from fieldapp.devdata.bench import generate

    if current_app.config["FIELDAPP_ENV"] == "production":
        raise click.ClickException("Benchmark data is never loaded with FIELDAPP_ENV=production.")
    started = time.perf_counter()
    try:
        counts = generate(_db(), homes, years)
    except DemoRefused as refusal:
        raise click.ClickException(str(refusal).replace("./scripts/demo", "bench-data")) \
            from refusal
    click.echo(f"Benchmark data for {homes:,} homes and {years:g} year(s) loaded into "
               f"{current_app.config['FIELDAPP_DB']} in {time.perf_counter() - started:.0f} s:")
    click.echo("  " + _counted(counts))
    click.echo(f"Accounts: the demo's, and operative-N@bench.test, officer-N@bench.test "
               f"(password: {DEMO_PASSWORD}).")


@click.command("serve")
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PORT", default=5000, type=int, show_default=True)
@click.option("--workers", envvar="FIELDAPP_WORKERS", default=2, type=int, show_default=True)
@click.option("--threads", envvar="FIELDAPP_THREADS", default=4, type=int, show_default=True)
def serve_command(host, port, workers, threads):
    """Apply migrations, then serve with gunicorn (the production server)."""
    _migrated_db().close()
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
            "--access-logfile", "-", "fieldapp:create_app()"]
    click.echo(f"Serving fieldapp on http://{host}:{port} (Ctrl-C stops it)")
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # noqa: S606  (our own interpreter, fixed arguments)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs that are due now, then stop.")
def worker_command(once):
    """Run background jobs (alerts, messages, old photos): keep it running beside the server."""
    from fieldapp.alerts import escalation  # noqa: F401  (registers its job handler)
    from fieldapp.core import jobs
    from fieldapp.core.db import transaction
    from fieldapp.logs import retention
    from fieldapp.messages import outbox  # noqa: F401  (registers its job handlers)
    from fieldapp.push import sender  # noqa: F401  (registers its job handlers)

    db = _migrated_db()
    with transaction(db):
        retention.keep_scheduled(db)
    if once:
        count = 0
        while jobs.run_one(db):
            count += 1
        click.echo(f"Ran {count} job(s).")
        return
    stopping = []
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stopping.append(True))
    click.echo("Worker running (Ctrl-C stops it after the current job).")
    jobs.work(db, stop=lambda: bool(stopping))
    click.echo("Worker stopped.")


@click.command("jobs")
def jobs_command():
    """Count background jobs: waiting, running now, and stopped after failing."""
    from fieldapp.core import jobs

    db = _migrated_db()
    counts = jobs.counts(db)
    click.echo(f"Jobs: {counts['queued']} queued, {counts['running']} running, "
               f"{counts['failed']} failed.")
    for job in jobs.failed_jobs(db, limit=20):
        click.echo(f"  failed: job {job['id']} {job['kind']} after {job['attempts']} attempts"
                   f" at {job['failed_at']}: {job['last_error']}")


@click.command("vapid")
@click.option("--replace", is_flag=True, help="Make a new key pair (every device must then "
                                             "turn notifications on again).")
def vapid_command(replace):
    """Create the VAPID key pair for Web Push (kept in the database), and show its public key."""
    from fieldapp.push import keys

    click.echo(f"VAPID public key: {keys.generate(_migrated_db(), replace=replace)}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Copy the database to PATH while the app runs (a consistent snapshot), then check it."""
    from fieldapp.core.backup import BackupProblem, backup

    try:
        counts = backup(current_app.config["FIELDAPP_DB"], path)
    except BackupProblem as problem:
        raise click.ClickException(str(problem)) from problem
    click.echo(f"Backed up to {path}: integrity ok; " + _counted(counts))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the existing database (stop the app and "
                                           "the worker first).")
def restore_command(path, force):
    """Check the backup at PATH, then restore it as the database, and bring its schema up to
    date."""
    from fieldapp.core.backup import BackupProblem, restore

    try:
        counts = restore(path, current_app.config["FIELDAPP_DB"], force=force)
    except BackupProblem as problem:
        raise click.ClickException(str(problem)) from problem
    _migrated_db().close()
    click.echo(f"Restored {path} to {current_app.config['FIELDAPP_DB']}: " + _counted(counts))


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{table} {n}" for table, n in counts.items()) + "."


COMMANDS = (migrate_command, create_landlord_command, create_user_command, demo_command,
            bench_data_command, serve_command, worker_command, jobs_command, vapid_command,
            backup_command, restore_command)


def register_commands(app) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    from fieldapp import __version__, create_app

    # Flask's own --version would print Flask's; people asking want fieldapp's.
    group = FlaskGroup(create_app=create_app, add_default_commands=False, add_version_option=False,
                       help="fieldapp: run `fieldapp COMMAND --help` for each command.")
    click.version_option(__version__, "--version", package_name="fieldapp",
                         message="fieldapp %(version)s")(group)
    group()
