"""Identity and sessions: Argon2, password rules, lockout after 5 failures for 15 minutes (in the
audit log), 30-minute idle sessions, TOTP for bureau and administrator accounts, the three
administrators' separated duties."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from jixiao.web.security import roles
from jixiao.web.security.models import AuditEntry

from .conftest import PASSWORD, client_for


def _actions():
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def test_passwords_are_hashed_with_argon2():
    assert make_password("Jixiao-2024-安全").startswith("argon2$")


@pytest.mark.parametrize("password, says", [
    ("Ab1-xyz", "太短"),
    ("abcdefghijk1", "至少 3 类"),
    ("Password123!", "常见"),
    ("Woaini1314!!", "过于常见"),
    ("1234567890", "只包含数字"),
    # issue 19: common words with look-alike substitutions, this system's name, alphabet runs, years
    ("P@ssw0rd2024", "容易被猜中"),
    ("Jixiao-demo-2024", "容易被猜中"),
    ("Abcdefghij1", "容易被猜中"),
    ("Str0ng!Passw0rd#2024", "容易被猜中"),
])
def test_weak_passwords_are_refused_in_chinese(password, says):
    from django.utils import translation

    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            validate_password(password)
        messages = [str(m) for m in exc.value.messages]
    assert any(says in m for m in messages), messages


def test_a_strong_password_passes():
    validate_password("财政-Jixiao-2024")
    validate_password("Kp7#vR2@mQ9x")
    validate_password("Tiger-Lamp-Ocean-77")  # a passphrase of several words


def test_a_guessable_password_is_refused_with_what_makes_it_guessable():
    """A keyboard walk the word lists do not spell: zxcvbn's estimate refuses it, saying what it found."""
    with pytest.raises(ValidationError) as exc:
        validate_password("1qaz2wsx3edC!")
    assert any("容易被猜中" in m and "常见单词或常用口令" in m for m in exc.value.messages), exc.value.messages
