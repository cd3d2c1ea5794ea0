"""The security part of the settings, applied to `jixiao.web.settings` at its end.

Always: Argon2 password hashes, password rules, lockout after 5 failed logins for 15 minutes
(django-axes), sessions that end after 30 idle minutes, a Content-Security-Policy with no inline
script, the audit context; TOTP (django-otp) for bureau and administrator roles when required.

`JIXIAO_ENV=production` additionally requires its configuration from the environment and refuses
to start without it: JIXIAO_SECRET_KEY, JIXIAO_ALLOWED_HOSTS, DATABASE_URL (optional REDIS_URL);
HTTPS only (HSTS, secure cookies, redirect), behind a TLS reverse proxy (JIXIAO_PROXY_COUNT, default 1),
TOTP always required, no debug, passwords expire after 90 days (JIXIAO_PASSWORD_MAX_AGE_DAYS).
"""

from __future__ import annotations

import os
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

PRODUCTION = "production"


def apply(ns: dict, env: dict | None = None) -> None:
    env = os.environ if env is None else env
    production = env.get("JIXIAO_ENV", "") == PRODUCTION
    ns["JIXIAO_ENV"] = PRODUCTION if production else env.get("JIXIAO_ENV", "development")
    if production:
        _production(ns, env)
    _common(ns, env, production)


def _common(ns: dict, env, production: bool) -> None:
    apps = ns["INSTALLED_APPS"]  # the middleware of these apps is listed in settings.MIDDLEWARE
    for app in ("django_otp", "django_otp.plugins.otp_totp", "axes"):
        if app not in apps:
            apps.append(app)

    # Identity (等保 8.1.4.1 身份鉴别)
    ns["PASSWORD_HASHERS"] = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies (and upgrades) older hashes
    ]
    ns["AUTH_PASSWORD_VALIDATORS"] = [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "jixiao.web.security.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
        {"NAME": "jixiao.web.security.passwords.ComplexityValidator"},
        {"NAME": "jixiao.web.security.passwords.ChineseCommonPasswordValidator"},
        {"NAME": "jixiao.web.security.passwords.GuessabilityValidator"},
    ]
    ns["AUTHENTICATION_BACKENDS"] = ["jixiao.web.security.backends.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
    ns["AXES_FAILURE_LIMIT"] = 5
    ns["AXES_COOLOFF_TIME"] = timedelta(minutes=15)
    ns["AXES_LOCKOUT_PARAMETERS"] = ["username"]  # the account, whichever address the attempts come from
    # Not by address as well: a bureau's staff often share one NAT address, and five typos by five
    # people would lock the whole office out. (axes.W006 says so; silenced for this reason.)
    ns.setdefault("SILENCED_SYSTEM_CHECKS", []).append("axes.W006")
    ns["AXES_RESET_ON_SUCCESS"] = True
    # Password expiry (8.1.4.1 a) 定期更换): past this many days since its owner last changed it, a
    # password must be changed before anything else. 0 = never; 90 by default in production.
    raw = env.get("JIXIAO_PASSWORD_MAX_AGE_DAYS", "").strip() or ("90" if production else "0")
    try:
        max_age = int(raw)
    except ValueError:
        max_age = -1
    if max_age < 0:
        raise ImproperlyConfigured(f"JIXIAO_PASSWORD_MAX_AGE_DAYS 须为不小于 0 的整数（天数，0 表示不要求定期更换），而不是 {raw!r}")
    ns["JIXIAO_PASSWORD_MAX_AGE_DAYS"] = max_age
    ns["AXES_LOCKOUT_CALLABLE"] = "jixiao.web.security.views.locked_out"
    ns["AXES_IPWARE_PROXY_COUNT"] = ns.get("JIXIAO_PROXY_COUNT", 0) or None
    ns["AXES_VERBOSE"] = False
    # Sessions end after 30 minutes without a request (each request renews them) and with the browser.
    ns["SESSION_COOKIE_AGE"] = 30 * 60
    ns["SESSION_SAVE_EVERY_REQUEST"] = True
    ns["SESSION_EXPIRE_AT_BROWSER_CLOSE"] = True
    ns.setdefault("JIXIAO_PROXY_COUNT", int(env.get("JIXIAO_PROXY_COUNT", "0")))
    # The reverse proxy whose X-Forwarded-* headers `jixiao serve` (waitress) believes: its address as
    # the server sees it ("*": any, only where nothing else can reach the port). Production expects the
    # proxy on the same machine unless told otherwise; elsewhere no proxy is trusted.
    ns["JIXIAO_TRUSTED_PROXY"] = env.get("JIXIAO_TRUSTED_PROXY", "").strip() or ("127.0.0.1" if production else "")
    # TOTP for bureau and administrator roles: always in production; elsewhere with JIXIAO_OTP_REQUIRED=1
    # (the demo and the test suite run without it, so their bureau accounts log in with a password).
    ns["JIXIAO_OTP_REQUIRED"] = production or env.get("JIXIAO_OTP_REQUIRED", "0") == "1"
    ns["OTP_TOTP_ISSUER"] = "jixiao 绩效自评"
    # The audit chain's seal key; derived from SECRET_KEY when not given (see docs/security.md).
    ns["JIXIAO_AUDIT_KEY"] = env.get("JIXIAO_AUDIT_KEY", "")
    # Where every committed head of the chain is appended, outside the database (security/anchor.py);
    # default audit-anchor.log under JIXIAO_VAR.
    ns["JIXIAO_AUDIT_ANCHOR"] = env.get("JIXIAO_AUDIT_ANCHOR", "").strip()
    # The backups' HMAC key (security/backup.py); derived from the audit key or SECRET_KEY when not given.
    ns["JIXIAO_BACKUP_KEY"] = env.get("JIXIAO_BACKUP_KEY", "")

    # Headers (等保 8.1.4.x 入侵防范, 数据完整性): no inline script, no framing, same-origin referrers.
    ns["SECURE_CONTENT_TYPE_NOSNIFF"] = True
    ns["SECURE_REFERRER_POLICY"] = "same-origin"
    ns["SECURE_CROSS_ORIGIN_OPENER_POLICY"] = "same-origin"
    ns["X_FRAME_OPTIONS"] = "DENY"
    ns["CONTENT_SECURITY_POLICY"] = {
        # The API's documentation page runs under the policy too: it is rendered on the server
        # (jixiao/web/api/docs.py) with the site's own stylesheets and no script.
        "DIRECTIVES": {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "img-src": ["'self'", "data:"],
            "font-src": ["'self'"],
            "connect-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
            "frame-ancestors": ["'none'"],
        },
    }


def _required(env, name: str, hint: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"生产环境（JIXIAO_ENV=production）必须设置 {name}：{hint}")
    return value


def _production(ns: dict, env) -> None:
    key = _required(env, "JIXIAO_SECRET_KEY", "至少 50 个字符的随机串，例如 python -c \"import secrets; print(secrets.token_urlsafe(50))\"")
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure") or "development" in key:
        raise ImproperlyConfigured("生产环境的 JIXIAO_SECRET_KEY 太弱：需要至少 50 个字符、足够随机的密钥")
    hosts = [h.strip() for h in _required(env, "JIXIAO_ALLOWED_HOSTS", "对外服务的域名，多个用逗号分隔").split(",") if h.strip()]
    _required(env, "DATABASE_URL", "postgres://用户@主机:端口/数据库（或 sqlite:///绝对路径）")
    ns["SECRET_KEY"] = key
    ns["ALLOWED_HOSTS"] = hosts
    ns["DEBUG"] = False
    ns["JIXIAO_PROXY_COUNT"] = int(env.get("JIXIAO_PROXY_COUNT", "1"))
    origins = env.get("JIXIAO_CSRF_TRUSTED_ORIGINS", "")
    ns["CSRF_TRUSTED_ORIGINS"] = [o for o in origins.split(",") if o] or [f"https://{h}" for h in hosts if h[0] != "."]
    # HTTPS only: TLS ends at the reverse proxy, which sets X-Forwarded-Proto.
    ns["SECURE_SSL_REDIRECT"] = True
    ns["SECURE_PROXY_SSL_HEADER"] = ("HTTP_X_FORWARDED_PROTO", "https")
    ns["SECURE_REDIRECT_EXEMPT"] = [r"^health$"]  # the proxy's health check on plain HTTP
    ns["SECURE_HSTS_SECONDS"] = 365 * 24 * 3600
    ns["SECURE_HSTS_INCLUDE_SUBDOMAINS"] = True
    ns["SECURE_HSTS_PRELOAD"] = True
    ns["SESSION_COOKIE_SECURE"] = True
    ns["CSRF_COOKIE_SECURE"] = True
    ns["SESSION_COOKIE_SAMESITE"] = "Lax"
    ns["CSRF_COOKIE_SAMESITE"] = "Strict"
    redis = env.get("REDIS_URL", "").strip()
    if redis:
        ns["CACHES"] = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis}}
