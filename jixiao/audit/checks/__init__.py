"""Check modules; importing this package registers every check in the catalogue.

Add a module here and import it below. Each module owns a family of rule ids.
"""

import importlib

_MODULES = ("arithmetic", "scores", "consistency", "prose", "hygiene", "plausibility", "sheets", "claims", "targets")

for _name in _MODULES:  # a family that fails to import is an error, never a silently empty catalogue
    importlib.import_module(f"{__name__}.{_name}")
