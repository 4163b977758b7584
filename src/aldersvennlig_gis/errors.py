"""Exceptions shown to the user as one line, in the language of --lang."""

from __future__ import annotations

from .catalogue import Msg


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

    def __reduce__(self):  # pickle by key and arguments (worker processes send errors back)
        return _rebuild, (type(self), self.msg.key.removeprefix("err."), self.msg.kwargs)


def _rebuild(cls: type[InputError], key: str, kwargs: dict) -> InputError:
    return cls(key, **kwargs)
