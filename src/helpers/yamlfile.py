"""The package's YAML files (text, links, facts, assessment), read in one way.

PyYAML's C loader (libyaml, in its wheels) reads them about ten times faster than the
pure-Python one; every notebook and test reads the text layer, so it shows.
"""
from __future__ import annotations

from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: str | Path):
    """The content of one UTF-8 YAML file (safe types only)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER)
