"""Where content hashes live: every model with a `content_hash` field (the submitted versions;
the bureau's published documents when part 2 adds them) is searched, so `jixiao verify` needs no
list to keep up to date."""

from __future__ import annotations

from django.apps import apps
from django.utils import timezone


def hashed_models():
    for model in apps.get_models():
        if any(f.name == "content_hash" for f in model._meta.get_fields()):
            yield model


def find_by_hash(digest: str) -> list[str]:
    """A Chinese description of each record carrying this digest."""
    out = []
    for model in hashed_models():
        for obj in model.objects.filter(content_hash__iexact=digest)[:10]:
            out.append(f"{model._meta.verbose_name}：{_describe(obj)}")
    return out


def _describe(obj) -> str:
    package = getattr(obj, "package", None)
    parts = [str(package)] if package is not None else []
    parts.append(str(obj))
    at = getattr(obj, "created_at", None)
    if at is not None:

        parts.append(timezone.localtime(at).strftime("%Y-%m-%d %H:%M"))
    algo = getattr(obj, "hash_algorithm", "")
    if algo and algo != "SM3":
        parts.append(f"（记录的算法为 {algo}）")
    return " · ".join(parts)
