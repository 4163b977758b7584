"""Exceptions whose messages are shown to the user as they are."""

from __future__ import annotations

from .text import Msg


class InputError(Exception):
    """Bad input or usage: the CLI prints the message on one line and exits 2.

    ``key`` names the catalogue entry ``err.<key>`` (text.py); the message names
    the file or config key and says what to do. ``str(exc)`` is the English text,
    ``exc.text(lang)`` the text in the user's language.
    """

    def __init__(self, key: str, /, **kwargs: object) -> None:
        self.msg = Msg(f"err.{key}", **kwargs)
        super().__init__(self.msg.text("en"))

    def text(self, lang: str = "nb") -> str:
        return self.msg.text(lang)
