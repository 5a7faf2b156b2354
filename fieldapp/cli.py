"""The `fieldapp` command: migrate, create accounts, load demo data, serve.

A deployment with a landlord map (FIELDAPP_LANDLORDS) names the landlord to act on with
`fieldapp --landlord HOST COMMAND`; `migrate`, `serve`, `worker` and `jobs` without one act on
every landlord's file.
"""

import importlib.util
import os
import signal
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from fieldapp.accounts.organisations import create_landlord
from fieldapp.accounts.queries import create_user, email_taken
from fieldapp.core import db as database
from fieldapp.core import landlords as landlord_map
from fieldapp.core import migrations
from fieldapp.core.access import ROLES
from fieldapp.core.db import query_one
from fieldapp.devdata.demo import DEMO_PASSWORD, DemoRefused, load_demo

MIN_PASSWORD_LENGTH = 12


def _db_path() -> str:
    """The database this command acts on; a deployment of several landlords must name one."""
    if current_app.config.get("FIELDAPP_EVERY_LANDLORD"):
        hosts = ", ".join(landlord_map.configured())
        raise click.UsageError("This deployment serves several landlords: say which one with "
                               f"`fieldapp --landlord HOST ...` (one of: {hosts}).")
    return current_app.config["FIELDAPP_DB"]


def _db():
    return database.connect(_db_path())


def _landlord_apps() -> list:
    """The app of each landlord this command acts on: the one in hand, or every landlord's."""
    from fieldapp import create_app

    if not current_app.config.get("FIELDAPP_EVERY_LANDLORD"):
        return [current_app._get_current_object()]
    return [create_app(landlord=landlord) for landlord in landlord_map.configured().values()]


def _migrated_db():
    db = _db()
    migrations.apply(db)
    return db


@click.command("migrate")
def migrate_command():
    """Create the database (every landlord's) or bring its schema up to date."""
    for app in _landlord_apps():
        db = database.connect(app.config["FIELDAPP_DB"])
        pending = [m.name for m in migrations.migrations.pending(db)]
        migrations.apply(db)
        db.close()
        click.echo(f"Applied {len(pending)} migration(s) to {app.config['FIELDAPP_DB']}.")


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
    click.echo(f"Demo data loaded into {_db_path()}.")
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
               f"{_db_path()} in {time.perf_counter() - started:.0f} s:")
    click.echo("  " + _counted(counts))
    click.echo(f"Accounts: the demo's, and operative-N@bench.test, officer-N@bench.test "
               f"(password: {DEMO_PASSWORD}).")


@click.command("serve")
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PORT", default=5000, type=int, show_default=True)
@click.option("--workers", envvar="FIELDAPP_WORKERS", default=2, type=int, show_default=True)
@click.option("--threads", envvar="FIELDAPP_THREADS", default=4, type=int, show_default=True)
@click.option("--server", envvar="FIELDAPP_SERVER", type=click.Choice(["gunicorn", "granian"]),
              default="gunicorn", show_default=True,
              help="granian needs the bench extra: pip install 'fieldapp[bench]'.")
def serve_command(host, port, workers, threads, server):
    """Apply migrations, then serve with gunicorn (the production server) or granian."""
    for app in _landlord_apps():
        migrations.apply(database.connect(app.config["FIELDAPP_DB"]))
    if server == "granian":
        _exec_granian(host, port, workers, threads, os.environ)
    _exec_gunicorn(host, port, workers, threads, os.environ)


def _exec_gunicorn(host, port, workers, threads, env) -> None:
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
            "--access-logfile", "-", "fieldapp.dispatch:create_wsgi()"]
    click.echo(f"Serving fieldapp on http://{host}:{port} (Ctrl-C stops it)")
    sys.stdout.flush()
    os.execve(sys.executable, argv, env)  # noqa: S606  (our own interpreter, fixed arguments)


def _exec_granian(host, port, workers, threads, env) -> None:
    """The same app and the same workers x threads through granian (its HTTP side is Rust)."""
    if importlib.util.find_spec("granian") is None:
        raise click.ClickException("granian is not installed: pip install 'fieldapp[bench]'.")
    argv = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port",
            str(port), "--workers", str(workers), "--blocking-threads", str(threads),
            "--access-log", "--factory", "fieldapp.dispatch:create_wsgi"]
    click.echo(f"Serving fieldapp on http://{host}:{port} with granian (Ctrl-C stops it)")
    sys.stdout.flush()
    os.execve(sys.executable, argv, env)  # noqa: S606  (our own interpreter, fixed arguments)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs that are due now, then stop.")
def worker_command(once):
    """Run background jobs (alerts, messages, old photos): keep it running beside the server."""
    from fieldapp.alerts import escalation  # noqa: F401  (registers its job handler)
    from fieldapp.checkin import lone_worker  # noqa: F401  (registers its job handlers)
    from fieldapp.core import jobs
    from fieldapp.core.db import transaction
    from fieldapp.logs import retention
    from fieldapp.messages import outbox  # noqa: F401  (registers its job handlers)
    from fieldapp.pauses import returns  # noqa: F401  (registers its job handlers)
    from fieldapp.push import sender  # noqa: F401  (registers its job handlers)

    sites = []
    for app in _landlord_apps():
        db = database.connect(app.config["FIELDAPP_DB"])
        migrations.apply(db)
        with app.app_context(), transaction(db):
            retention.keep_scheduled(db)
        sites.append((app.app_context, db))
    if once:
        count = 0
        for context, db in sites:
            with context():
                while jobs.run_one(db):
                    count += 1
        click.echo(f"Ran {count} job(s).")
        return
    stopping = []
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stopping.append(True))
    click.echo(f"Worker running for {len(sites)} database(s) (Ctrl-C stops it after the current"
               " job).")
    jobs.work_every(sites, stop=lambda: bool(stopping))
    click.echo("Worker stopped.")


@click.command("jobs")
def jobs_command():
    """Count background jobs: waiting, running now, and stopped after failing."""
    from fieldapp.core import jobs

    for app in _landlord_apps():
        db = database.connect(app.config["FIELDAPP_DB"])
        migrations.apply(db)
        counts = jobs.counts(db)
        where = f" ({app.config['FIELDAPP_LANDLORD_HOST']})" \
            if app.config.get("FIELDAPP_LANDLORD_HOST") else ""
        click.echo(f"Jobs{where}: {counts['queued']} queued, {counts['running']} running, "
                   f"{counts['failed']} failed.")
        for job in jobs.failed_jobs(db, limit=20):
            click.echo(f"  failed: job {job['id']} {job['kind']} after {job['attempts']} "
                       f"attempts at {job['failed_at']}: {job['last_error']}")


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
        counts = backup(_db_path(), path)
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
        counts = restore(path, _db_path(), force=force)
    except BackupProblem as problem:
        raise click.ClickException(str(problem)) from problem
    _migrated_db().close()
    click.echo(f"Restored {path} to {_db_path()}: " + _counted(counts))


@click.group("replication")
def replication_group():
    """Continuous replication to object storage with Litestream: config, run, status, restores."""


def _replica():
    from fieldapp.core.replication import Replica, databases

    return Replica.from_config(current_app.config), databases(current_app.config)


def _one_replicated_database(files: list) -> tuple[str, str]:
    if len(files) != 1:
        _db_path()  # with several landlords: asks which one
    return files[0]


def _replication_problem(problem) -> click.ClickException:
    return click.ClickException(str(problem))


@replication_group.command("config")
@click.option("--output", type=click.Path(dir_okay=False), help="Write it to this file "
              "(for example /etc/litestream.yml) instead of printing it.")
def replication_config_command(output):
    """The Litestream config for this installation, from the FIELDAPP_REPLICA_* settings."""
    from fieldapp.core.replication import ReplicationProblem, litestream_config

    replica, files = _replica()
    try:
        text = litestream_config(files, replica)
    except ReplicationProblem as problem:
        raise _replication_problem(problem) from problem
    if output:
        Path(output).write_text(text)
        click.echo(f"Wrote {output}. Run `fieldapp replication run` beside the app.")
    else:
        click.echo(text, nl=False)


@replication_group.command("run")
def replication_run_command():
    """Replicate continuously (litestream replicate): keep it running beside the web server."""
    from fieldapp.core.replication import (
        ReplicationProblem,
        litestream_binary,
        litestream_config,
        litestream_environment,
    )

    replica, files = _replica()
    try:
        if replica.missing():
            raise ReplicationProblem("Set " + ", ".join(replica.missing()) + " first.")
        config_path = Path(current_app.instance_path) / "litestream.yml"
        config_path.parent.mkdir(parents=True, exist_ok=True)
        config_path.write_text(litestream_config(files, replica))
        binary = litestream_binary()
    except ReplicationProblem as problem:
        raise _replication_problem(problem) from problem
    for db_path, replica_path in files:
        click.echo(f"Replicating {db_path} to s3://{replica.bucket}/{replica_path} every "
                   f"{replica.sync_interval} (Ctrl-C stops it)")
    sys.stdout.flush()
    os.execve(binary, [binary, "replicate", "-config", str(config_path)],  # noqa: S606
              litestream_environment(replica))


@replication_group.command("status")
@click.option("--max-age", type=float, help="Exit with status 1 if the newest replicated "
              "change is older than this many seconds (for monitoring).")
def replication_status_command(max_age):
    """Where the replica in object storage has got to: its newest change, and how old it is."""
    from fieldapp.core.replication import ReplicationProblem, replicated_position

    replica, files = _replica()
    stale = False
    for db_path, replica_path in files:
        try:
            position = replicated_position(replica, db_path, replica_path)
        except ReplicationProblem as problem:
            raise _replication_problem(problem) from problem
        where = f"s3://{replica.bucket}/{replica_path}"
        if position is None:
            click.echo(f"{db_path}: nothing replicated yet to {where}.")
            stale = True
            continue
        age = position.age_seconds()
        click.echo(f"{db_path}: replicated to {where} up to transaction {position.txid:x}, "
                   f"made {position.at:%Y-%m-%dT%H:%M:%SZ} ({age:.0f} s ago).")
        stale = stale or (max_age is not None and age > max_age)
    if stale and max_age is not None:
        sys.exit(1)


@replication_group.command("restore")
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False),
              help="A new file to write the restored database to.")
@click.option("--at", "moment", help="The moment to go back to: 14:05 (today, local time), "
              "\"2026-11-23 14:05\" or 2026-11-23T14:05:00Z. Default: the newest.")
def replication_restore_command(target, moment):
    """Restore the database from object storage as it was at a moment, to a new file, and check
    it."""
    from fieldapp.core.backup import BackupProblem, check
    from fieldapp.core.replication import ReplicationProblem, parse_moment, restore

    replica, files = _replica()
    db_path, replica_path = _one_replicated_database(files)
    try:
        at = parse_moment(moment) if moment else None
        restore(replica, db_path, replica_path, target, at=at)
        counts = check(target)
    except (ReplicationProblem, BackupProblem) as problem:
        raise _replication_problem(problem) from problem
    when = f"as it was at {at:%Y-%m-%dT%H:%M:%SZ}" if at else "as last replicated"
    click.echo(f"Restored {db_path} {when} to {target}: integrity ok; " + _counted(counts))
    click.echo(f"To use it: stop the app and the worker, then "
               f"`fieldapp restore {target} --force`.")


@replication_group.command("restore-drill")
@click.option("--to", "folder", required=True, type=click.Path(file_okay=False),
              help="A new (or empty) folder for the restored database.")
@click.option("--serve", is_flag=True, help="Then serve the app on it at once (as `fieldapp "
              "serve` would, with FIELDAPP_DB set to the restored file).")
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PORT", default=5000, type=int, show_default=True)
@click.option("--workers", envvar="FIELDAPP_WORKERS", default=2, type=int, show_default=True)
@click.option("--threads", envvar="FIELDAPP_THREADS", default=4, type=int, show_default=True)
def replication_restore_drill_command(folder, serve, host, port, workers, threads):
    """Restore the newest replica to a new folder, check it, bring its schema up to date, then
    print the command that serves it (or, with --serve, serve it)."""
    import time

    from fieldapp.core.backup import BackupProblem, check
    from fieldapp.core.replication import ReplicationProblem, replicated_position, restore

    started = time.perf_counter()
    replica, files = _replica()
    db_path, replica_path = _one_replicated_database(files)
    if Path(folder).exists() and any(Path(folder).iterdir()):
        raise click.ClickException(f"{folder} is not empty: choose a new folder.")
    target = str(Path(folder).resolve() / "fieldapp.db")
    try:
        position = replicated_position(replica, db_path, replica_path)
        if position is None:
            raise ReplicationProblem(f"There is no replica of {db_path} yet.")
        restore(replica, db_path, replica_path, target)
        counts = check(target)
    except (ReplicationProblem, BackupProblem) as problem:
        raise _replication_problem(problem) from problem
    restored = database.connect(target)
    migrations.apply(restored)
    restored.close()
    click.echo(f"Restored {db_path} to {target} in {time.perf_counter() - started:.1f} s, "
               f"up to transaction {position.txid:x} made {position.at:%Y-%m-%dT%H:%M:%SZ}.")
    click.echo("Integrity ok; " + _counted(counts))
    if serve:
        alone = {key: value for key, value in os.environ.items()
                 if key != landlord_map.MAP_VARIABLE}  # serve the restored file by itself
        _exec_gunicorn(host, port, workers, threads, {**alone, "FIELDAPP_DB": target})
    click.echo(f"Serve it: FIELDAPP_DB={target} fieldapp serve")


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{table} {n}" for table, n in counts.items()) + "."


COMMANDS = (migrate_command, create_landlord_command, create_user_command, demo_command,
            bench_data_command, serve_command, worker_command, jobs_command, vapid_command,
            backup_command, restore_command, replication_group)


def register_commands(app) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def _choose_landlord(_context, _param, host):
    if host:
        os.environ[landlord_map.CHOSEN_VARIABLE] = host


def cli_app():
    """The app a command runs in: the chosen landlord's, or (with a landlord map and none
    chosen) one that acts on every landlord's file or asks which."""
    from fieldapp import create_app

    landlords = landlord_map.configured()
    if not landlords:
        return create_app()
    chosen = os.environ.get(landlord_map.CHOSEN_VARIABLE, "")
    if not chosen:
        return create_app({"FIELDAPP_EVERY_LANDLORD": True, "FIELDAPP_DB": ""})
    landlord = landlords.get(landlord_map.host_name(chosen))
    if landlord is None:
        raise click.UsageError(f"No landlord is served at {chosen}; the landlord map "
                               f"({landlord_map.MAP_VARIABLE}) has: {', '.join(landlords)}.")
    return create_app(landlord=landlord)


def main() -> None:
    from fieldapp import __version__

    landlord_option = click.Option(
        ["--landlord"], metavar="HOST", expose_value=False, is_eager=True,
        callback=_choose_landlord, envvar=landlord_map.CHOSEN_VARIABLE,
        help="With several landlords (FIELDAPP_LANDLORDS): the host name of the one to act on.")
    # Flask's own --version would print Flask's; people asking want fieldapp's.
    group = FlaskGroup(create_app=cli_app, add_default_commands=False, add_version_option=False,
                       params=[landlord_option],
                       help="fieldapp: run `fieldapp COMMAND --help` for each command.")
    click.version_option(__version__, "--version", package_name="fieldapp",
                         message="fieldapp %(version)s")(group)
    group()
