"""The web application: units prepare, review and submit their packages; the bureau reviews, samples,
publishes and imports; anyone reads what was published.

By audience, over one shared domain (docs/architecture.md has the map): `unit/`, `bureau/`, `public/`
and `api/` each hold their urls, views, selectors and services and never import one another; below
them `models/`, `access.py` (who may see and do what), `drafts/` (form layouts, figures, cells, the
draft recomputed), `versions.py` (draft writes, versions, opinions, comments), `jobs/`,
`publication.py` and `security/`. Everything reaches the package's data only through
`jixiao.services` (the same functions the CLI and the worker call).
"""
