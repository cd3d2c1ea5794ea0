"""Password rules beyond Django's own (whose messages Django already gives in Chinese)."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError


class ComplexityValidator:
    """At least three of: lower-case letters, upper-case letters, digits, other characters
    (punctuation, Chinese characters …)."""

    def __init__(self, classes: int = 3):
        self.classes = classes

    @staticmethod
    def _classes(password: str) -> int:
        kinds = set()
        for ch in password:
            if ch.isascii() and ch.islower():
                kinds.add("lower")
            elif ch.isascii() and ch.isupper():
                kinds.add("upper")
            elif ch.isdigit():
                kinds.add("digit")
            elif not unicodedata.category(ch).startswith("Z"):
                kinds.add("other")
        return len(kinds)

    def validate(self, password: str, user=None) -> None:
        if self._classes(password) < self.classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return f"密码须包含小写字母、大写字母、数字、其他字符（标点或汉字）中的至少 {self.classes} 类。"


# Passwords Chinese users pick that Django's English-centred list misses: pinyin phrases, keyboard
# walks and dates. Compared case-insensitively, with digits and symbols at the end stripped.
_CHINESE_COMMON = {
    "woaini", "woaini1314", "aini1314", "5201314", "1314520", "caizheng", "caizhengju", "jixiao", "zhongguo", "china",
    "beijing", "shanghai", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx", "qazwsx", "abc123", "admin", "administrator",
    "password", "mima", "mima123", "nihao", "wangluo", "huawei", "xiaomi", "88888888", "66666666", "147258369", "iloveyou",
}


class ChineseCommonPasswordValidator:
    def validate(self, password: str, user=None) -> None:
        core = password.lower().rstrip("0123456789!@#$%^&*.,;:-_+=~").lstrip("!@#$%^&*.")
        if core in _CHINESE_COMMON or password.lower() in _CHINESE_COMMON or (core and core.isdigit() and len(set(core)) <= 2):
            raise ValidationError("密码过于常见（如拼音短语、键盘序列、重复数字），容易被猜中。", code="password_too_common")

    def get_help_text(self) -> str:
        return "密码不能是常见的拼音短语、键盘序列或重复数字。"


class MinimumLengthValidator:
    """Django's length rule with its message in Chinese (Django 5.2's zh-Hans catalogue misses the
    changed English text, so its own message would show in English)."""

    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短：至少需要 {self.min_length} 个字符。", code="password_too_short")

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"
