"""Read FACTS.csv and SUBJECTS.csv as offices export them from Excel.

The column sets are fixed by issue 4 (offices feed them from Excel):

* facts: ``subject,item,date,quantity,value,tags,note``
* subjects: ``subject,name,category,lines``

Every cell is read as text first and converted here, so a bad cell is reported with
its file, spreadsheet row (the header is row 1) and the value as typed. Files saved
by Excel in a Chinese locale are often GB18030 rather than UTF-8; both are accepted.
Parsing is vectorised (one strict cast per column); only the first bad row is looked
up to build the message.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from xinfang.assessment.errors import FactsInvalid

__all__ = ["FACT_COLUMNS", "SUBJECT_COLUMNS", "read_facts", "read_subjects"]

FACT_COLUMNS = ["subject", "item", "date", "quantity", "value", "tags", "note"]
SUBJECT_COLUMNS = ["subject", "name", "category", "lines"]


def _read_text_table(path: Path, columns: list[str], source: str) -> pl.DataFrame:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FactsInvalid(
            source=source,
            row=None,
            column="文件",
            value=str(path),
            reason=f"无法读取：{exc.strerror}",
        ) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover — gb18030 decodes any byte string
        raise FactsInvalid(
            source=source, row=None, column="文件", value=str(path), reason="无法识别文件编码"
        )
    try:
        df = pl.read_csv(text.encode("utf-8"), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise FactsInvalid(
            source=source, row=None, column="文件", value=str(path), reason=f"不是有效的 CSV:{exc}"
        ) from exc
    df = df.rename({c: c.strip().lower() for c in df.columns})
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise FactsInvalid(
            source=source,
            row=1,
            column="表头",
            value=",".join(df.columns),
            reason=f"缺少列 {','.join(missing)}；表头应为 {','.join(columns)}",
        )
    df = df.select(columns).with_columns(pl.col(c).str.strip_chars() for c in columns)
    df = df.with_columns(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in columns
    )
    return df.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))


def _first_bad(df: pl.DataFrame, bad: pl.Expr, column: str, reason: str, source: str) -> None:
    hits = df.filter(bad)
    if hits.height:
        row = hits.row(0, named=True)
        raise FactsInvalid(
            source=source, row=row["row"], column=column, value=row[column], reason=reason
        )


def read_facts(path: str | Path) -> pl.DataFrame:
    """Facts with typed columns (date, quantity, value as numbers) and the row number."""
    path = Path(path)
    df = _read_text_table(path, FACT_COLUMNS, "facts")
    try:
        # Excel writes dates as 2019-03-01 or 2019/3/1 depending on the locale.
        parsed_date = pl.coalesce(
            pl.col("date").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
            pl.col("date").str.strptime(pl.Date, "%Y/%m/%d", strict=False),
        )
        df = df.with_columns(
            _date=parsed_date,
            _quantity=pl.col("quantity").str.replace_all(",", "").cast(pl.Float64, strict=False),
            _value=pl.col("value").str.replace("%$", "").cast(pl.Float64, strict=False),
        )
        _first_bad(df, pl.col("date").is_null(), "date", "日期为空", "facts")
        _first_bad(df, pl.col("_date").is_null(), "date", "日期格式应为 YYYY-MM-DD", "facts")
        _first_bad(
            df,
            pl.col("quantity").is_not_null() & pl.col("_quantity").is_null(),
            "quantity",
            "数量不是数字",
            "facts",
        )
        _first_bad(
            df,
            pl.col("_quantity").is_nan() | pl.col("_quantity").is_infinite(),
            "quantity",
            "数量不是有限数字",
            "facts",
        )
        _first_bad(
            df,
            pl.col("value").is_not_null() & pl.col("_value").is_null(),
            "value",
            "value 不是数字",
            "facts",
        )
        _first_bad(
            df,
            pl.col("_value").is_nan() | pl.col("_value").is_infinite(),
            "value",
            "value 不是有限数字",
            "facts",
        )
        _first_bad(df, pl.col("subject").is_null(), "subject", "考核对象为空", "facts")
        _first_bad(df, pl.col("item").is_null(), "item", "考核项目代码为空", "facts")
    except FactsInvalid as exc:
        exc.file = str(path)
        raise
    return df.select(
        "row",
        "subject",
        "item",
        pl.col("_date").alias("date"),
        pl.col("_quantity").alias("quantity"),
        pl.col("_value").alias("value"),
        "tags",
        "note",
    )


def read_subjects(path: str | Path) -> pl.DataFrame:
    """Subjects with the row number; checks against the rulebook happen in the engine."""
    path = Path(path)
    df = _read_text_table(path, SUBJECT_COLUMNS, "subjects")
    try:
        _first_bad(df, pl.col("subject").is_null(), "subject", "考核对象为空", "subjects")
    except FactsInvalid as exc:
        exc.file = str(path)
        raise
    return df
