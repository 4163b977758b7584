"""Exceptions whose messages are shown to the user as they are."""


class InputError(Exception):
    """Bad input or usage: the CLI prints the message on one line and exits 2.

    The message names the file or config key and says what to do.
    """
