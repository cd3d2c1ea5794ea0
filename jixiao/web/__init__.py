"""The web application: the unit prepares, reviews and submits its package in the browser.

Django lives only here; the core imports nothing of it. Views are thin: writes go through
`jixiao.web.services`, reads through `jixiao.web.selectors`, and both reach the package's data
only through `jixiao.services` (the same functions the CLI and the worker call).
"""
