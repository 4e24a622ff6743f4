"""Settings read from the environment; nothing else lives here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from tenant_app.security.credentials import CredentialKeys, development_keys, parse_keys

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised when the environment does not allow a safe start."""


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default).strip()


def _env_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name, "1" if default else "0").lower()
    return raw in {"1", "true", "yes", "on"}


DEV_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - only accepted in development


@dataclass(frozen=True)
class Settings:
    environment: str = "development"  # development | production | test
    database_url: str = f"sqlite://{PROJECT_ROOT / 'data' / 'app.sqlite3'}"
    base_domain: str = "localhost"
    # Where operators and backoffices log in; "" means platform.BASE_DOMAIN.
    platform_host: str = ""
    secret_key: str = DEV_SECRET
    storage_dir: Path = PROJECT_ROOT / "data" / "files"
    # "" streams downloads from the app; a path such as "/_files/" hands them to nginx
    # (X-Accel-Redirect to an internal location that serves STORAGE_DIR) after the checks.
    download_offload: str = ""
    public_scheme: str = "http"  # scheme used in links inside e-mails
    public_port: int = 8000  # port used in links inside e-mails; 0 = default port
    mail_backend: str = "file"  # smtp | file
    mail_dir: Path = PROJECT_ROOT / "data" / "mail"
    mail_from: str = "portal@localhost"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "none"  # none | starttls | tls
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    link_valid_hours: int = 72
    max_body_bytes: int = 30 * 1024 * 1024  # whole request, uploads included
    max_upload_bytes: int = 25 * 1024 * 1024
    body_timeout_seconds: int = 120  # a request body must arrive within this, start to end
    body_idle_seconds: int = 30  # and never stall longer than this between two reads
    db_connect_timeout_seconds: int = 5  # PostgreSQL: opening a connection
    db_query_timeout_seconds: int = 10  # PostgreSQL: one statement (and cancelling it)
    db_pool_timeout_seconds: int = 5  # PostgreSQL: waiting for a free pooled connection
    argon2_profile: str = "default"  # default | fast (tests only)
    hash_concurrency: int = 2
    log_level: str = "INFO"
    mail_retention_days: int = 30  # sent and failed mails are deleted from the outbox after
    # Webhooks to loopback, private, link-local or otherwise non-public addresses (and over
    # plain http): None = only in development and tests; True also in production (a broker
    # system inside the same network), False never (WEBHOOKS_ALLOW_PRIVATE).
    webhooks_allow_private: bool | None = None
    # Web push: the installation's VAPID private key (PEM, or the base64url raw key that
    # `vapid --gen` prints); empty = made on first use and kept in the database.
    vapid_private_key: str = ""
    # Insurer interfaces: the keys sealing the firms' insurer credentials ("id:base64key",
    # comma separated, the first one sealing; empty = derived from SECRET_KEY, development
    # only), where each plug-in's insurer is ("plugin=https://…", comma separated; empty = the
    # plug-in's own default), and how long one attempt of a call may take.
    credentials_keys: str = ""
    insurer_urls: str = ""
    insurer_timeout_seconds: int = 10
    # Where files live: "local" (STORAGE_DIR) or "s3" (an S3-compatible object store). With
    # S3_PRESIGN_SECONDS > 0 downloads redirect to a presigned URL valid that long, issued only
    # after the permission check; 0 streams them through the app.
    storage_backend: str = "local"
    s3_endpoint: str = ""
    s3_bucket: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_region: str = "us-east-1"
    s3_path_style: bool = True
    s3_presign_seconds: int = 0
    # Prometheus metrics at /metrics, answered only with "Authorization: Bearer METRICS_TOKEN"
    # ("" = no metrics endpoint).
    metrics_token: str = ""
    # Custom domains: the host a broker's own domain points at (its CNAME), shown in the
    # instructions; "" means portal.BASE_DOMAIN.
    custom_domain_target: str = ""
    # Whether each app process also runs the background loop (outbox, jobs, clean-ups); "0"
    # leaves it to separate `tenant-app worker` processes.
    run_worker: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_development(self) -> bool:
        return self.environment in {"development", "test"}

    @property
    def allows_private_webhooks(self) -> bool:
        """Whether webhook endpoints may be on private addresses (no SSRF guard)."""
        if self.webhooks_allow_private is None:
            return self.is_development
        return self.webhooks_allow_private

    @property
    def platform_hostname(self) -> str:
        """The platform's own host: operators and backoffices, no broker's portal."""
        return self.platform_host or f"platform.{self.base_domain}"

    @property
    def custom_domain_cname(self) -> str:
        """Where a broker's own domain points (its CNAME record)."""
        return self.custom_domain_target or f"portal.{self.base_domain}"

    @property
    def secure_cookies(self) -> bool:
        return not self.is_development

    def with_overrides(self, **changes: object) -> Settings:
        # Field names and values are the caller's to get right; replace() cannot check them here.
        return replace(self, **cast("dict[str, Any]", changes))

    def check(self) -> Settings:
        if self.environment not in {"development", "production", "test"}:
            raise ConfigError("APP_ENV must be development, production or test")
        if not self.is_development and self.secret_key in {"", DEV_SECRET}:
            raise ConfigError("SECRET_KEY must be set to a long random value in production")
        if not self.is_development and len(self.secret_key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long")
        if self.mail_backend not in {"smtp", "file"}:
            raise ConfigError("MAIL_BACKEND must be smtp or file")
        if self.smtp_tls not in {"none", "starttls", "tls"}:
            raise ConfigError("SMTP_TLS must be none, starttls or tls")
        offload = self.download_offload
        if offload and not (offload.startswith("/") and offload.endswith("/") and offload != "/"):
            raise ConfigError('DOWNLOAD_OFFLOAD must be empty or a path such as "/_files/"')
        if self.storage_backend not in {"local", "s3"}:
            raise ConfigError("STORAGE_BACKEND must be local or s3")
        if self.storage_backend == "s3" and not (self.s3_endpoint and self.s3_bucket):
            raise ConfigError("STORAGE_BACKEND=s3 needs S3_ENDPOINT and S3_BUCKET")
        if self.s3_presign_seconds < 0:
            raise ConfigError("S3_PRESIGN_SECONDS must be 0 or more")
        self.insurer_url_map()  # raises ConfigError when malformed
        self.credential_keys()
        if min(self.timeouts()) < 1:
            raise ConfigError(
                "BODY_*_SECONDS, DB_*_TIMEOUT_SECONDS and INSURER_TIMEOUT_SECONDS"
                " must be at least 1"
            )
        return self

    def insurer_url_map(self) -> dict[str, str]:
        """INSURER_URLS as plug-in key → base URL."""
        urls: dict[str, str] = {}
        for part in (p.strip() for p in self.insurer_urls.split(",") if p.strip()):
            key, _sep, url = part.partition("=")
            if not key.strip() or not url.strip().startswith(("http://", "https://")):
                raise ConfigError("INSURER_URLS: each entry is plugin=https://… ")
            urls[key.strip()] = url.strip()
        return urls

    def credential_keys(self) -> CredentialKeys:
        """The keys sealing insurer credentials; in development without CREDENTIALS_KEYS one
        derived from SECRET_KEY, in production none (sealing then refuses)."""
        if not self.credentials_keys.strip():
            if self.is_development:
                return development_keys(self.secret_key)
            return CredentialKeys(())
        try:
            return parse_keys(self.credentials_keys)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    def timeouts(self) -> tuple[int, ...]:
        return (
            self.insurer_timeout_seconds,
            self.body_timeout_seconds,
            self.body_idle_seconds,
            self.db_connect_timeout_seconds,
            self.db_query_timeout_seconds,
            self.db_pool_timeout_seconds,
        )


def load_settings() -> Settings:
    """Read every setting from the environment (documented in README.md)."""
    defaults = Settings()
    environment = _env("APP_ENV", defaults.environment).lower()
    return Settings(
        environment=environment,
        database_url=_env("DATABASE_URL", defaults.database_url),
        base_domain=_env("BASE_DOMAIN", defaults.base_domain).lower(),
        platform_host=_env("PLATFORM_HOST", defaults.platform_host).lower(),
        secret_key=_env("SECRET_KEY", defaults.secret_key if environment != "production" else ""),
        storage_dir=Path(_env("STORAGE_DIR", str(defaults.storage_dir))),
        download_offload=_env("DOWNLOAD_OFFLOAD", defaults.download_offload),
        public_scheme=_env("PUBLIC_SCHEME", "https" if environment == "production" else "http"),
        public_port=_env_int("PUBLIC_PORT", 0 if environment == "production" else 8000),
        mail_backend=_env("MAIL_BACKEND", defaults.mail_backend).lower(),
        mail_dir=Path(_env("MAIL_DIR", str(defaults.mail_dir))),
        mail_from=_env("MAIL_FROM", defaults.mail_from),
        smtp_host=_env("SMTP_HOST", defaults.smtp_host),
        smtp_port=_env_int("SMTP_PORT", defaults.smtp_port),
        smtp_user=_env("SMTP_USER", ""),
        smtp_password=_env("SMTP_PASSWORD", ""),
        smtp_tls=_env("SMTP_TLS", defaults.smtp_tls).lower(),
        session_idle_minutes=_env_int("SESSION_IDLE_MINUTES", defaults.session_idle_minutes),
        session_max_hours=_env_int("SESSION_MAX_HOURS", defaults.session_max_hours),
        link_valid_hours=_env_int("LINK_VALID_HOURS", defaults.link_valid_hours),
        max_body_bytes=_env_int("MAX_BODY_BYTES", defaults.max_body_bytes),
        max_upload_bytes=_env_int("MAX_UPLOAD_BYTES", defaults.max_upload_bytes),
        body_timeout_seconds=_env_int("BODY_TIMEOUT_SECONDS", defaults.body_timeout_seconds),
        body_idle_seconds=_env_int("BODY_IDLE_SECONDS", defaults.body_idle_seconds),
        db_connect_timeout_seconds=_env_int(
            "DB_CONNECT_TIMEOUT_SECONDS", defaults.db_connect_timeout_seconds
        ),
        db_query_timeout_seconds=_env_int(
            "DB_QUERY_TIMEOUT_SECONDS", defaults.db_query_timeout_seconds
        ),
        db_pool_timeout_seconds=_env_int(
            "DB_POOL_TIMEOUT_SECONDS", defaults.db_pool_timeout_seconds
        ),
        argon2_profile=_env("ARGON2_PROFILE", defaults.argon2_profile),
        hash_concurrency=_env_int("HASH_CONCURRENCY", defaults.hash_concurrency),
        log_level=_env("LOG_LEVEL", defaults.log_level).upper(),
        mail_retention_days=_env_int("MAIL_RETENTION_DAYS", defaults.mail_retention_days),
        webhooks_allow_private=(
            _env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
            if _env("WEBHOOKS_ALLOW_PRIVATE", "")
            else None
        ),
        vapid_private_key=_env("VAPID_PRIVATE_KEY", ""),
        credentials_keys=_env("CREDENTIALS_KEYS", ""),
        insurer_urls=_env("INSURER_URLS", ""),
        insurer_timeout_seconds=_env_int(
            "INSURER_TIMEOUT_SECONDS", defaults.insurer_timeout_seconds
        ),
        storage_backend=_env("STORAGE_BACKEND", defaults.storage_backend).lower(),
        s3_endpoint=_env("S3_ENDPOINT", ""),
        s3_bucket=_env("S3_BUCKET", ""),
        s3_access_key_id=_env("S3_ACCESS_KEY_ID", ""),
        s3_secret_access_key=_env("S3_SECRET_ACCESS_KEY", ""),
        s3_region=_env("S3_REGION", defaults.s3_region),
        s3_path_style=_env_bool("S3_PATH_STYLE", defaults.s3_path_style),
        s3_presign_seconds=_env_int("S3_PRESIGN_SECONDS", defaults.s3_presign_seconds),
        metrics_token=_env("METRICS_TOKEN", ""),
        custom_domain_target=_env("CUSTOM_DOMAIN_TARGET", "").lower(),
        run_worker=_env_bool("RUN_WORKER", defaults.run_worker),
    ).check()
