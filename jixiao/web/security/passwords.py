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


# --- guessability: common words with substitutions, sequences, years (issue 19) -----------------------
#
# "P@ssw0rd2024", "Jixiao-demo-2024" and "Abcdefghij1" meet length and character classes and are
# still among the first guesses of any cracking tool: a dictionary word or a name of this system,
# letters swapped for look-alike digits and symbols, a run of the alphabet, a year. Two checks:
# the pattern itself (every letter of the password belongs to such words or runs, and the digits are a
# year or a few more), and zxcvbn's estimate of the number of guesses, with its findings said in Chinese.

# Words of this system and its users' world that zxcvbn's English lists do not hold.
SYSTEM_WORDS = ("jixiao", "demo", "caizheng", "caizhengju", "yusuan", "zipping", "ziping", "kaohe", "xiangxi", "mima",
                "admin", "test", "ceshi")
_LOOKALIKE = {"@": "a", "4": "a", "8": "b", "3": "e", "6": "g", "1": "i", "!": "i", "|": "l", "0": "o", "5": "s", "$": "s",
              "7": "t", "+": "t"}
_ROWS = ("abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
MIN_GUESSES_LOG10 = 10  # zxcvbn's "very unguessable" (score 4): ~10^10 guesses


def _words() -> frozenset[str]:
    global _WORDS
    if _WORDS is None:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS

        words = {w for ranked in FREQUENCY_LISTS.values() for w in ranked if len(w) >= 3 and w.isalpha()}
        _WORDS = frozenset(words | set(SYSTEM_WORDS) | _CHINESE_COMMON)
    return _WORDS


_WORDS: frozenset[str] | None = None


def _plain(password: str) -> str:
    """Look-alike digits and symbols next to a letter read as the letter ("P@ssw0rd" → "password");
    digits inside a number stay digits ("2024")."""
    out = []
    for i, ch in enumerate(password):
        before = password[i - 1] if i else ""
        after = password[i + 1] if i + 1 < len(password) else ""
        near_letter = before.isascii() and before.isalpha() or after.isascii() and after.isalpha()
        inside_number = ch.isdigit() and (before.isdigit() or after.isdigit())
        out.append(_LOOKALIKE[ch] if ch in _LOOKALIKE and near_letter and not inside_number else ch)
    return "".join(out).lower()


def _in_a_row(chunk: str) -> bool:
    return len(chunk) >= 3 and any(chunk in row or chunk in row[::-1] for row in _ROWS)


def _reading(run: str) -> tuple[int, int]:
    """A run of letters cut into known words and keyboard/alphabet runs: (letters left unexplained,
    pieces used), fewest unexplained letters first."""
    words = _words()
    best = [(0, 0)] + [(len(run) + 1, 0)] * len(run)  # best[i]: the best reading of run[:i]
    for end in range(1, len(run) + 1):
        left, pieces = best[end - 1]
        best[end] = (left + 1, pieces)
        for start in range(max(0, end - 20), end - 2):
            piece = run[start:end]
            if piece in words or _in_a_row(piece):
                left, pieces = best[start]
                best[end] = min(best[end], (left, pieces + 1))
    return best[-1]


def common_pattern(password: str) -> bool:
    """One or two known words (with look-alike substitutions) or alphabet runs, plus a year or a few
    digits. (Three words or more are a passphrase: the estimate judges those.)"""
    plain = _plain(password)
    if any(not ch.isascii() and ch.isalpha() for ch in plain):
        return False  # Chinese characters: outside these word lists, judged by the estimate alone
    runs = "".join(ch if ch.isalpha() else " " for ch in plain).split()
    digits = "".join(ch if ch.isdigit() else " " for ch in plain).split()
    readings = [_reading(r) for r in runs]
    unexplained = sum(left for left, _ in readings)
    pieces = sum(n for _, n in readings)
    few_digits = all(_in_a_row(d) or len(set(d)) == 1 or len(d) <= 4 for d in digits)
    return bool(runs) and unexplained < 3 and pieces <= 2 and few_digits


_FINDINGS = {
    "dictionary": "常见单词或常用口令", "spatial": "键盘上相邻的按键", "repeat": "重复的字符", "sequence": "连续的字母或数字",
    "regex": "年份", "date": "日期或年份",
}


class GuessabilityValidator:
    """Refuses passwords that cracking tools try first; the reason in Chinese."""

    def validate(self, password: str, user=None) -> None:
        from zxcvbn import zxcvbn

        if common_pattern(password):
            raise ValidationError("密码由常见单词、本系统名称或连续字母（包括用 @、0、1、$ 等替换字母的写法）加年份或少量数字组成，"
                                  "容易被猜中。", code="password_common_pattern")
        inputs = [*SYSTEM_WORDS, *self._about(user)]
        estimate = zxcvbn(password[:100], user_inputs=inputs)
        if estimate["guesses_log10"] < MIN_GUESSES_LOG10:
            found = []
            for match in estimate["sequence"]:
                name = "用户名、姓名或本系统名称" if match.get("dictionary_name") == "user_inputs" else _FINDINGS.get(match["pattern"])
                if match.get("l33t"):
                    name = f"{name}（字母换成了形近的数字或符号）"
                if name and name not in found:
                    found.append(name)
            why = f"：其中含有{'、'.join(found)}" if found else ""
            raise ValidationError(f"密码容易被猜中（约 10^{int(estimate['guesses_log10'])} 次尝试以内）{why}。"
                                  "请用更长、没有规律的组合。", code="password_guessable")

    @staticmethod
    def _about(user) -> list[str]:
        if user is None:
            return []
        return [str(v) for v in (getattr(user, "username", ""), getattr(user, "display_name", ""),
                                 getattr(user, "email", "")) if v]

    def get_help_text(self) -> str:
        return "密码不能是常见单词（包括把字母换成形近的数字或符号）加年份之类容易被猜中的组合。"
