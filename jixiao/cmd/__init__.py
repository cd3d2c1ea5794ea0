"""The command line's sub-commands (a surface: they parse arguments, call `jixiao.services` and the
readers/writers behind it, and print). Exit codes and the user-error type are shared here."""

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


class UserError(Exception):
    """A problem to report in one clear message and exit 2."""
