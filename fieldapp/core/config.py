"""Configuration: read once from the environment, checked before the app starts."""

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The repository keeps templates/, static/ and offline/ beside the package; the wheel carries
# them inside it, under assets/ (pyproject.toml's force-include), so an install needs no checkout.
INSTALLED = (PACKAGE_DIR / "assets").is_dir()
ASSETS_DIR = PACKAGE_DIR / "assets" if INSTALLED else PACKAGE_DIR.parent


def instance_path() -> str | None:
    """Where the local secret key (and, unless FIELDAPP_DB says otherwise, the database) live:
    FIELDAPP_INSTANCE_PATH, else instance/ in a checkout, else Flask's own default for an
    installed package (<venv>/var/fieldapp-instance)."""
    chosen = os.environ.get("FIELDAPP_INSTANCE_PATH")
    if chosen:
        return chosen
    return None if INSTALLED else str(ASSETS_DIR / "instance")
ENVIRONMENTS = ("production", "development", "demo", "test")
# Values people paste from tutorials; refusing them stops a guessable key reaching production.
WEAK_SECRET_KEYS = {"", "dev", "secret", "changeme", "change-me", "fieldapp"}
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The environment does not describe a safe, runnable app."""


def load_config(instance_path: Path) -> dict:
    env = os.environ.get("FIELDAPP_ENV", "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(f"FIELDAPP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    # localhost, not 127.0.0.1: browsers refuse passkeys on an IP address, and the passkeys'
    # relying party is this address's host (accounts.credentials).
    base_url = os.environ.get("FIELDAPP_BASE_URL", "http://localhost:5000").rstrip("/")
    sync_interval = os.environ.get("FIELDAPP_REPLICA_SYNC_INTERVAL", "1s").strip()
    if not re.fullmatch(r"[0-9]+(ms|s|m)", sync_interval):
        raise ConfigError("FIELDAPP_REPLICA_SYNC_INTERVAL must be a duration like 1s, 500ms or "
                          f"1m, not {sync_interval!r}.")
    https = base_url.startswith("https://")
    return {
        "FIELDAPP_ENV": env,
        "FIELDAPP_DB": os.environ.get("FIELDAPP_DB", str(instance_path / "fieldapp.db")),
        "FIELDAPP_BASE_URL": base_url,
        "FIELDAPP_TRUSTED_PROXIES": int(os.environ.get("FIELDAPP_TRUSTED_PROXIES", "0") or 0),
        # How long before and after its window an ID card still confirms the caller.
        "FIELDAPP_VERIFY_MARGIN_MINUTES": 60,
        # An urgent alert nobody acknowledged after this long goes to the duty users.
        "FIELDAPP_ESCALATE_MINUTES": int(os.environ.get("FIELDAPP_ESCALATE_MINUTES", "30")),
        "SECRET_KEY": _secret_key(env, instance_path),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_NAME": "fieldapp_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # The session ends 12 hours after sign-in whatever one does (its row's expires_at), so
        # the cookie is not signed and sent again on every answer: only when the session changes.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # The CSRF token is tied to the session, which already ends after 12 hours; a 1-hour
        # token would break an offline outbox replayed in the afternoon.
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        # zstandard first: as small as gzip and several times cheaper to make (Chromium asks
        # for it); gzip for the rest, brotli last (the slowest to make at the same size).
        "COMPRESS_ALGORITHM": ["zstd", "gzip", "br", "deflate"],
        # Messages to residents: GOV.UK Notify (one template per channel whose body is
        # ((body))), or email by SMTP; with neither, messages are kept marked "demo: not sent".
        "NOTIFY_API_KEY": os.environ.get("NOTIFY_API_KEY", ""),
        "NOTIFY_BASE_URL": os.environ.get("NOTIFY_BASE_URL", ""),
        "NOTIFY_SMS_TEMPLATE_ID": os.environ.get("NOTIFY_SMS_TEMPLATE_ID", ""),
        "NOTIFY_EMAIL_TEMPLATE_ID": os.environ.get("NOTIFY_EMAIL_TEMPLATE_ID", ""),
        "FIELDAPP_SMTP_URL": os.environ.get("FIELDAPP_SMTP_URL", ""),
        "FIELDAPP_MAIL_FROM": os.environ.get("FIELDAPP_MAIL_FROM", ""),
        # Host names (or parent domains) of the push services we send to; empty: the browsers'
        # own services (fieldapp.push.endpoints.PUSH_SERVICE_HOSTS).
        "FIELDAPP_PUSH_SERVICE_HOSTS": tuple(
            host.strip() for host in os.environ.get("FIELDAPP_PUSH_SERVICE_HOSTS", "").split(",")
            if host.strip()),
        # Continuous replication (Litestream) to S3-compatible object storage: `fieldapp
        # replication ...` and docs/operations.md. The endpoint is empty for Amazon S3 itself.
        "FIELDAPP_REPLICA_BUCKET": os.environ.get("FIELDAPP_REPLICA_BUCKET", ""),
        "FIELDAPP_REPLICA_PATH": os.environ.get("FIELDAPP_REPLICA_PATH", "fieldapp").strip("/"),
        "FIELDAPP_REPLICA_ENDPOINT": os.environ.get("FIELDAPP_REPLICA_ENDPOINT", ""),
        "FIELDAPP_REPLICA_REGION": os.environ.get("FIELDAPP_REPLICA_REGION", "us-east-1"),
        "FIELDAPP_REPLICA_ACCESS_KEY_ID": os.environ.get("FIELDAPP_REPLICA_ACCESS_KEY_ID", ""),
        "FIELDAPP_REPLICA_SECRET_ACCESS_KEY": os.environ.get(
            "FIELDAPP_REPLICA_SECRET_ACCESS_KEY", ""),
        # At most this much of the newest writes is at risk if the machine is lost.
        "FIELDAPP_REPLICA_SYNC_INTERVAL": sync_interval,
        # Sign-in: 10 failures for one email from one address pause that pair for the window;
        # 30 from one address over any emails slow it to one try per 10 seconds.
        "LOGIN_MAX_FAILURES": 10,
        "LOGIN_LOCK_WINDOW": timedelta(minutes=15),
        "LOGIN_ADDRESS_SLOW_AFTER": 30,
        "LOGIN_ADDRESS_WAIT": timedelta(seconds=10),
    }


def _secret_key(env: str, instance_path: Path) -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key.strip().lower() not in WEAK_SECRET_KEYS and len(key) >= MIN_SECRET_KEY_LENGTH:
        return key
    if env == "production":
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters in production. "
            "Make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    return _local_secret_key(instance_path)


def _local_secret_key(instance_path: Path) -> str:
    """Outside production, keep a random key in the instance folder so sessions survive restarts."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
