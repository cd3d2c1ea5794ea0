"""Check modules; importing this package registers every check in the catalogue.

Add a module here and import it below. Each module owns a family of rule ids.
"""

import importlib

_MODULES = ("arithmetic", "scores", "consistency", "prose", "hygiene", "plausibility", "sheets")

for _name in _MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # a family not written yet
        if _exc.name != f"{__name__}.{_name}":
            raise
