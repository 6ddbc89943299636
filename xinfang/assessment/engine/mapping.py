"""The rulebook's ``mapping``: facts under platform duty keys become facts of its items.

Runs only when the item encoding meets codes the rulebook lacks (``reduce.reduce_facts``),
so facts that already carry item codes — the common case, and every benchmark row — pay
nothing. A duty key the rulebook maps becomes its item code with the mapping's tags; a
duty key it does not map is dropped and counted (the rulebook does not score that duty);
anything else stays an unknown item code, which the engine refuses as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from xinfang.assessment.rulebook.schema import Rulebook
from xinfang.core.facts import DUTY_KEY

__all__ = ["Mapped", "has_duty_keys", "map_duty_keys"]


@dataclass(frozen=True)
class Mapped:
    """What the mapping did: facts mapped, and facts ignored per unmapped duty key."""

    mapped: int = 0
    ignored: dict[str, int] = field(default_factory=dict)

    def warning(self) -> str | None:
        """The Chinese warning line for the ignored facts, if any."""
        if not self.ignored:
            return None
        keys = ", ".join(f"{k}×{n}" for k, n in sorted(self.ignored.items()))
        return f"忽略 {sum(self.ignored.values())} 条本细则未对应的职责事实：{keys}"


def _text(item: pl.Expr) -> pl.Expr:
    return item.cast(pl.String)


def has_duty_keys(items: pl.Series) -> bool:
    """Whether any of ``items`` (the unknown codes) is spelled as a duty key."""
    return bool(items.cast(pl.String).str.contains(DUTY_KEY.pattern).any())


def map_duty_keys(rb: Rulebook, facts: pl.DataFrame) -> tuple[pl.DataFrame, Mapped]:
    """``facts`` with mapped duty keys replaced by item codes and unmapped ones dropped."""
    item = _text(pl.col("item"))
    is_key = item.str.contains(DUTY_KEY.pattern)
    keys = [m.key for m in rb.mapping]
    code = item.replace_strict(keys, [m.item for m in rb.mapping], default=None)
    tags = item.replace_strict(
        keys, [";".join(m.tags) or None for m in rb.mapping], default=None, return_dtype=pl.String
    )
    df = facts.with_columns(_key=is_key, _code=code, _tags=tags)
    dropped = df.filter(pl.col("_key") & pl.col("_code").is_null())
    ignored = {
        str(k): int(n)
        for k, n in dropped.group_by(_text(pl.col("item")).alias("k")).len().iter_rows()
    }
    mapped = df.filter(pl.col("_code").is_not_null()).height
    df = df.filter(~(pl.col("_key") & pl.col("_code").is_null())).with_columns(
        item=pl.when(pl.col("_code").is_not_null()).then(pl.col("_code")).otherwise(item),
        tags=pl.when(pl.col("_code").is_not_null()).then(pl.col("_tags")).otherwise("tags"),
    )
    return df.drop("_key", "_code", "_tags"), Mapped(mapped, ignored)
