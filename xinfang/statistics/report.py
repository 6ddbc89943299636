"""The annual report of 条例 Art. 41 for a unit's subtree and a year: PDF and xlsx.

Art. 41: petition offices report each year on the petitions received — statistics, the
matter types, the bodies complained about most, transfers, assignments and supervision,
the recommendations made and adopted — and on the resolution of backlog cases. Every
figure is a line with its figure key: the drill-down list (and the API) behind that key
counts the same matters (tested).

Recommendations: counted from the supervision notices (Art. 38: the responsible unit
answers in writing whether it adopted the recommendation) and from the suggestions
received (建议意见类, Art. 29): what became of those answered in the year — adopted, partly
adopted, not adopted — as recorded on the handling answer: the ``suggestion.<outcome>``
figures, counted with the year's other figures, equal to
:func:`xinfang.petitions.measures.suggestion_outcomes` of the subtree (tested).

The figures come from the yearly aggregates (:class:`~xinfang.statistics.models.UnitYear`,
counted by the same function as the drill-down): the report says when they were counted,
and ``refresh`` (the command's ``--refresh``) counts the subtree's year again first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from xinfang.org.models import Unit
from xinfang.petitions.choices import SuggestionOutcome
from xinfang.petitions.measures import MeasureWindow, Ratio
from xinfang.statistics.aggregates import refresh_years, year_figures
from xinfang.statistics.figures import OWN_FIGURES
from xinfang.statistics.periods import Period
from xinfang.statistics.summary import Statistics, StatRow, statistics_of

__all__ = ["AnnualReport", "ReportLine", "annual_report", "report_pdf", "report_xlsx"]

TOP_BODIES = 10


@dataclass(frozen=True)
class ReportLine:
    label: str
    value: int | str
    figure: str = ""  # the drill-down figure key ("" for a derived value, e.g. a rate)
    unit: Unit | None = None  # the unit the figure is of (default: the report's)
    indent: bool = False


@dataclass
class Section:
    title: str
    lines: list[ReportLine] = field(default_factory=list)


@dataclass
class AnnualReport:
    unit: Unit
    year: int
    statistics: Statistics
    sections: list[Section]
    # When the yearly aggregates the figures come from were counted (the oldest row of
    # the subtree), and the day the year was measured as of.
    counted_at: datetime | None = None
    as_of: date | None = None

    @property
    def period(self) -> Period:
        return self.statistics.period


def _rate(label: str, ratio: Ratio) -> ReportLine:
    text = (
        "—" if ratio.percent is None else f"{ratio.percent}%({ratio.numerator}/{ratio.denominator})"
    )
    if ratio.pending:
        text += f"，另有{ratio.pending}件期限待定未计入"
    return ReportLine(label, text)


def _line(total: StatRow, key: str, label: str = "", *, indent: bool = False) -> ReportLine:
    return ReportLine(label or OWN_FIGURES.get(key, key), total.count(key), key, indent=indent)


def annual_report(
    unit: Unit, year: int, *, today: date | None = None, refresh: bool = False
) -> AnnualReport:
    """The report's figures for ``unit``'s subtree over the calendar ``year``, read from
    the yearly aggregates (counted first when the subtree's year never was, or when
    ``refresh``); the report says when they were counted."""
    if refresh:
        refresh_years([year], root=unit, today=today)
    counted = year_figures(unit, year, today=today)
    period = Period.year(year)
    w = MeasureWindow(period.start, period.end, counted.as_of)
    stats = statistics_of(unit, period, w, counted.per_unit)
    t = stats.total
    m = t.figures.measures
    volume = Section("一、信访事项总体情况", [_line(t, "received", "收到信访事项总数")])
    volume.lines += [
        _line(t, f"channel:{v}", label, indent=True)
        for v, label in stats.channels
        if t.count(f"channel:{v}")
    ]
    volume.lines += [
        _line(t, f"kind:{v}", label, indent=True)
        for v, label in stats.kinds
        if t.count(f"kind:{v}")
    ]
    types = Section(
        "二、信访事项分类",
        [_line(t, f"matter_type:{v}", label) for v, label in stats.matter_types],
    )
    bodies = sorted(
        (r for r in stats.rows if not r.own and r.count("complaints")),
        key=lambda r: (-r.count("complaints"), r.unit.path),
    )[:TOP_BODIES]
    complained = Section(
        "三、反映问题较多的单位（不含检举控告类）",
        [ReportLine(r.label, r.count("complaints"), "complaints", unit=r.unit) for r in bodies],
    )
    handling = Section(
        "四、受理、办理和转送交办情况",
        [
            _rate("及时受理率", m.timely_acceptance),
            ReportLine(
                "按期告知受理",
                m.timely_acceptance.numerator,
                "timely_acceptance.numerator",
                indent=True,
            ),
            ReportLine(
                "应计受理告知",
                m.timely_acceptance.denominator,
                "timely_acceptance.denominator",
                indent=True,
            ),
            _rate("按期办结率", m.on_time_completion),
            ReportLine(
                "按期办结",
                m.on_time_completion.numerator,
                "on_time_completion.numerator",
                indent=True,
            ),
            ReportLine(
                "应计办理",
                m.on_time_completion.denominator,
                "on_time_completion.denominator",
                indent=True,
            ),
            _rate("群众满意率", m.satisfaction),
            ReportLine(
                "满意及基本满意", m.satisfaction.numerator, "satisfaction.numerator", indent=True
            ),
            ReportLine(
                "参评事项", m.satisfaction.denominator, "satisfaction.denominator", indent=True
            ),
            _line(t, "handover.forward", "转送事项"),
            _line(t, "handover.assign", "交办事项"),
        ],
    )
    supervision = Section(
        "五、督查督办情况",
        [
            _line(t, f"supervision.{k}")
            for k in ("reminder", "notice", "listed", "instruction", "ownership")
        ],
    )
    recommendations = Section(
        "六、提出和采纳建议情况",
        [
            _line(t, "recommendation.made"),
            _line(t, "recommendation.adopted", indent=True),
            _line(t, "recommendation.not_adopted", indent=True),
            _line(t, "suggestion.received"),
            *(
                _line(t, f"suggestion.{value}", f"建议意见{label}", indent=True)
                for value, label in SuggestionOutcome.choices
            ),
        ],
    )
    backlog = Section(
        "七、积案化解情况",
        [
            ReportLine("积案（超期未办结）", m.backlog.total, "backlog.total"),
            ReportLine("其中五年以上", m.backlog.over_5y, "backlog.over_5y", indent=True),
            ReportLine("其中十年以上", m.backlog.over_10y, "backlog.over_10y", indent=True),
            ReportLine("本年化解积案", m.backlog_resolved.total, "backlog_resolved.total"),
            ReportLine(
                "其中五年以上", m.backlog_resolved.over_5y, "backlog_resolved.over_5y", indent=True
            ),
            ReportLine(
                "其中十年以上",
                m.backlog_resolved.over_10y,
                "backlog_resolved.over_10y",
                indent=True,
            ),
            ReportLine("重复信访", m.repeat, "repeat"),
            ReportLine("越级信访", t.escalated, "escalated"),
        ],
    )
    return AnnualReport(
        unit,
        year,
        stats,
        [volume, types, complained, handling, supervision, recommendations, backlog],
        counted_at=counted.counted_at,
        as_of=counted.as_of,
    )


def report_lines(report: AnnualReport) -> list[tuple[str, ReportLine]]:
    """Every line with its section title (for the xlsx and the equality test)."""
    return [(s.title, line) for s in report.sections for line in s.lines]


def _units_table(report: AnnualReport) -> list[list[Any]]:
    rows = []
    for r in report.statistics.rows:
        rates = r.rates
        rows.append(
            [
                r.label,
                r.count("received"),
                *(rates[k].percent if rates[k].percent is not None else "—" for k in rates),
            ]
        )
    return rows


def report_context(report: AnnualReport, *, today: date) -> dict[str, Any]:
    from xinfang.documents.pdf import cn_date

    return {
        "report": report,
        "unit": report.unit,
        "number": f"{report.unit.name}〔{today.year}〕信访年报",
        "date_cn": cn_date(today),
        "units_table": _units_table(report),
    }


def report_pdf(report: AnnualReport, *, today: date) -> bytes:
    """The report in official layout, by the documents app's renderer (GB/T 9704 page)."""
    from xinfang.documents.pdf import render_pdf

    return render_pdf("statistics/annual_report_pdf.html", report_context(report, today=today))


def report_xlsx(report: AnnualReport) -> bytes:
    """The report as one worksheet: section, item, value, figure key; then the units."""
    from xinfang.ledgers.xlsx import write_xlsx

    rows: list[list[Any]] = []
    for title, line in report_lines(report):
        rows.append(
            [title, line.label, line.value, line.figure, line.unit.name if line.unit else ""]
        )
    rows.append([])
    if report.counted_at is not None and report.as_of is not None:
        counted = timezone.localtime(report.counted_at)
        rows.append(["统计时间", f"{counted:%Y-%m-%d %H:%M}", f"计至{report.as_of:%Y-%m-%d}"])
        rows.append([])
    rows.append(["八、各单位情况", "单位", "收到事项", "及时受理率%", "按期办结率%", "群众满意率%"])
    rows += [["", *row] for row in _units_table(report)]
    return write_xlsx(f"{report.year}年度报告", ["部分", "项目", "数值", "统计项", "单位"], rows)
