"""Rulebooks as data: the schema and the YAML loader."""

from xinfang.assessment.rulebook.loader import (
    SHIPPED_DIR,
    load_rulebook,
    parse_rulebook,
    resolve_rulebook,
    shipped_names,
)
from xinfang.assessment.rulebook.schema import Item, Rulebook, Section

__all__ = [
    "SHIPPED_DIR",
    "Item",
    "Rulebook",
    "Section",
    "load_rulebook",
    "parse_rulebook",
    "resolve_rulebook",
    "shipped_names",
]
