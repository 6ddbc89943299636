"""``bench/generate``: a deterministic synthetic province in a bench database.

5,000 units, 20,000 staff with role grants, 2,000,000 × scale petition matters over the two
years before today (channels, kinds, matter types, every state of the workflow, due dates
by the legal calendar — pending where the period runs into a year the calendar does not
cover yet —, extensions, reviews, overdue ones with their sent overdue notices), their
``PetitionReach`` rows and primary petitioners, and 10,000,000 × scale assessment facts
(Parquet under ``bench/data/``; on PostgreSQL also in the table ``bench_assessment_fact``).

The data is written straight into the platform's own tables (``Model._meta.db_table``) by
:mod:`bench.province.loader`. The state is "as of yesterday's deadline job": matters whose
running period ended before yesterday are marked overdue, those ending yesterday are left
for the job ``bench/run`` times. A sample of the generated matters is re-checked against
the app's own ``workflow.apply_dues`` so the vectorised due dates cannot drift from it.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from bench.province import common
from bench.province.tree import Staff, Tree, build_staff, build_tree, pools

MATTERS = 2_000_000
FACTS = 10_000_000
SEED = 2022
EPOCH = date(1970, 1, 1).toordinal()
INF = 10**9

CHANNELS = ["letter", "visit", "collective_visit", "phone", "12345", "fax", "online"]
CHANNEL_P = [0.16, 0.15, 0.03, 0.10, 0.22, 0.01, 0.33]
TOPICS = [
    "拖欠农民工工资",
    "征地补偿标准",
    "房屋拆迁安置",
    "物业服务纠纷",
    "小区停车管理",
    "道路噪声扰民",
    "企业排污",
    "养老保险待遇",
    "医疗费用报销",
    "低保资格认定",
    "宅基地纠纷",
    "土地承包经营权",
    "学校招生划片",
    "供水水压不足",
    "违章建筑",
    "工伤认定",
    "劳动合同解除",
    "商品房延期交付",
    "集体经济收益分配",
    "农田灌溉设施",
    "燃气管道安全",
    "网约车管理",
    "食品安全",
    "垃圾清运",
    "电梯维修资金",
    "退役军人安置",
    "公交线路调整",
    "棚户区改造",
    "村务公开",
    "医患纠纷",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌"


def _date_series(days: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    """Ordinals → a Polars Date series (null where not ``valid``)."""
    values = pl.Series((days - EPOCH).astype(np.int32)).cast(pl.Date)
    if valid is None:
        return values
    return pl.select(pl.when(pl.Series(valid)).then(values).otherwise(None)).to_series()


def _id_series(ids: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    values = pl.Series(ids.astype(np.int64))
    if valid is None:
        return values
    return pl.select(pl.when(pl.Series(valid)).then(values).otherwise(None)).to_series()


def _cat(parts: list[Any], separator: str = "") -> pl.Series:
    """Concatenate string Series element-wise."""
    return pl.select(pl.concat_str(parts, separator=separator)).to_series()


def _hex(rng: np.random.Generator, n: int) -> pl.Series:
    raw = rng.bytes(32 * n).hex()
    return pl.Series([raw[i * 64 : (i + 1) * 64] for i in range(n)], dtype=pl.String)


# ---------------------------------------------------------------------------------------
# Units, staff, grants


def unit_frame(tree: Tree) -> pl.DataFrame:
    n = len(tree)
    return pl.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            "name": tree.name,
            "level": tree.level,
            "parent_id": pl.Series(tree.parent, dtype=pl.Int64),
            "path": tree.path,
            "depth": [p.count("/") - 1 for p in tree.path],
            "admin_code": tree.admin_code,
            "is_petition_office": tree.petition_office,
            "is_discipline_body": tree.discipline,
            "is_active": [True] * n,
        }
    )


def user_frames(tree: Tree, staff: Staff) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = len(staff.unit)
    joined = datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")
    users = pl.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            # Unusable password: the bench signs users in by session, never by password.
            "password": ["!bench"] * n,
            "username": [f"staff{i + 1:05d}" for i in range(n)],
            "full_name": [
                SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] for i in range(n)
            ],
            "kind": ["staff"] * n,
            "unit_id": pl.Series(staff.unit, dtype=pl.Int64),
            "title": staff.role,
            "is_active": [True] * n,
            "date_joined": [joined] * n,
        }
    )
    grant_user = list(range(1, n + 1)) + [i + 1 for i, _ in staff.extra]
    grant_role = list(staff.role) + [role for _, role in staff.extra]
    grant_unit = list(staff.unit) + [staff.unit[i] for i, _ in staff.extra]
    grants = pl.DataFrame(
        {
            "id": np.arange(1, len(grant_user) + 1, dtype=np.int64),
            "user_id": pl.Series(grant_user, dtype=pl.Int64),
            "role": grant_role,
            "unit_id": pl.Series(grant_unit, dtype=pl.Int64),
            "granted_at": [joined] * len(grant_user),
        }
    )
    return users, grants


# ---------------------------------------------------------------------------------------
# The legal clock, vectorised: lookup tables built once from the pure LegalCalendar


class DueTable:
    """``due(start, n)`` for every start day of the data; -1 where the calendar does not
    cover the period's end (the app stores NULL and marks the matter ``deadline_pending``)."""

    def __init__(self, first: int, last: int, convention: str) -> None:
        from xinfang.core.calendar import legal_calendar
        from xinfang.core.errors import CalendarNotCovered

        cal = legal_calendar()  # loaded once: a pure value
        self.first = first
        days = range(first, last + 1)
        self.lengths = [15, 30, *range(60, 91)]
        self.calendar = np.full((len(self.lengths), len(days)), -1, dtype=np.int64)
        self.working5 = np.full(len(days), -1, dtype=np.int64)
        for j, ordinal in enumerate(days):
            start = date.fromordinal(ordinal)
            for i, n in enumerate(self.lengths):
                with contextlib.suppress(CalendarNotCovered):
                    self.calendar[i, j] = cal.add_calendar_days(start, n, convention).toordinal()
            with contextlib.suppress(CalendarNotCovered):
                self.working5[j] = cal.add_working_days(start, 5).toordinal()
        self.row = {n: i for i, n in enumerate(self.lengths)}
        self.covered = cal.covered_years

    def cal(self, start: np.ndarray, n: np.ndarray | int, started: np.ndarray) -> np.ndarray:
        """Due ordinals; -2 where the period has not started."""
        idx = np.clip(start - self.first, 0, self.calendar.shape[1] - 1)
        # lengths are [15, 30, 60, 61, …, 90]: row of n is 0, 1 or n - 58
        lengths = np.broadcast_to(np.asarray(n), start.shape)
        rows = np.where(lengths == 15, 0, np.where(lengths == 30, 1, lengths - 58))
        return np.where(started, self.calendar[rows, idx], -2)

    def work5(self, start: np.ndarray, started: np.ndarray) -> np.ndarray:
        idx = np.clip(start - self.first, 0, self.working5.shape[0] - 1)
        return np.where(started, self.working5[idx], -2)


# ---------------------------------------------------------------------------------------
# Matters


def matter_frames(
    tree: Tree, staff: Staff, n: int, today: date, rng: np.random.Generator
) -> dict[str, pl.DataFrame]:
    """Petitions, their reach rows, petitioners and the overdue notices already sent."""
    from django.conf import settings

    from xinfang.petitions.deadlines import pending_notice
    from xinfang.petitions.models import MatterType

    snap = today.toordinal() - 1  # the state as of yesterday's deadline job
    p = pools(tree)
    n_counties = len(p["counties"])
    received = np.sort(snap - rng.integers(0, 730, n))
    ci = rng.integers(0, n_counties, n)
    targets = p["targets"]
    width = targets.shape[1]
    n_depts = width - 10  # the county's departments come first, then its 10 townships

    # Registering unit, by kind and category.
    kind = rng.choice(
        np.array(["appeal", "suggestion", "accusation"]), n, p=[0.76, 0.14, 0.10]
    ).astype(object)
    acc = kind == "accusation"
    cat = rng.choice(7, n, p=[0.38, 0.27, 0.12, 0.04, 0.04, 0.10, 0.05])
    cat = np.where(acc, np.where(rng.random(n) < 0.5, 1, 3), cat)
    town_k = rng.integers(0, 10, n)
    township = targets[ci, n_depts + town_k]
    community = p["communities"][(ci * 10 + town_k) * 5 + rng.integers(0, 5, n)]
    registering = np.select(
        [cat == 0, cat == 1, cat == 2, cat == 3, cat == 4, cat == 5],
        [
            township,
            p["county_office"][ci],
            targets[ci, rng.integers(0, n_depts, n)],
            p["county_discipline"][ci],
            community,
            p["city_office"][p["city_of_county"][ci]],
        ],
        default=tree.province_office,
    )
    # Channels; matters handed down by the city or province petition bureau.
    channel = rng.choice(np.array(CHANNELS, dtype=object), n, p=CHANNEL_P)
    handed = (rng.random(n) < 0.08) & np.isin(cat, [0, 1]) & ~acc
    channel = np.where(handed, np.where(rng.random(n) < 0.6, "forwarded", "assigned"), channel)
    handed_by = np.where(
        rng.random(n) < 0.7, p["city_office"][p["city_of_county"][ci]], tree.province_office
    )
    head_count = np.where(channel == "collective_visit", rng.integers(5, 60, n), 0)

    # Routing inside the county; accusations never to (or inside) the accused unit.
    offices = np.isin(cat, [1, 5, 6])
    routed = np.where(offices, rng.random(n) < 0.85, rng.random(n) < 0.12) & (cat != 3)
    resp_k = rng.integers(0, width, n)
    responsible = np.where(routed, targets[ci, resp_k], registering)
    accused_k = (resp_k + 1 + rng.integers(0, width - 1, n)) % width
    accused = np.where(acc, targets[ci, accused_k], 0)

    # Lifecycle: event dates; the status is the last event on or before the snapshot.
    path = rng.random(n)
    not_acc = path < 0.06
    linked = (path >= 0.06) & (path < 0.08)
    main = path >= 0.08
    routed_on = np.where(routed, received + rng.integers(1, 12, n), INF)
    decide = np.where(routed, routed_on, received) + rng.integers(1, 14, n)
    accepted = np.where(main, decide, INF)
    ext = np.where(main & (rng.random(n) < 0.06), rng.integers(5, 31, n), 0)
    ext = np.where(accepted + rng.integers(30, 55, n) <= snap, ext, 0)
    started = np.where(main & (rng.random(n) < 0.85), accepted + rng.integers(1, 5, n), INF)
    late = rng.random(n) < 0.08
    dur = np.where(late, 61 + ext + rng.integers(0, 40, n), rng.integers(10, 61 + ext, n))
    answered = np.where(main, accepted + dur, INF)
    delivered = answered + rng.integers(0, 6, n)
    review = main & (rng.random(n) < 0.05)
    evaluate = ~review & (rng.random(n) < 0.6)
    evaluated = np.where(evaluate, delivered + rng.integers(1, 10, n), INF)
    rr = np.where(review, delivered + rng.integers(3, 30, n), INF)
    rd = np.where(
        review,
        rr + np.where(rng.random(n) < 0.1, rng.integers(31, 50, n), rng.integers(10, 30, n)),
        INF,
    )
    rereview = review & (rng.random(n) < 0.3)
    rrr = np.where(rereview, rd + rng.integers(3, 30, n), INF)
    final = np.where(rereview, rrr + rng.integers(10, 32, n), INF)
    closed = np.where(
        review,
        np.where(rereview, INF, rd + 35),
        np.maximum(delivered + rng.integers(5, 30, n), np.where(evaluate, evaluated + 1, 0)),
    )
    closed = np.where(main, closed, INF)

    status = np.full(n, "registered", dtype=object)
    for when, name in (
        (routed_on, "routed"),
        (np.where(not_acc, decide, INF), "not_accepted"),
        (np.where(linked, decide, INF), "linked"),
        (accepted, "accepted"),
        (started, "in_handling"),
        (answered, "answered"),
        (evaluated, "evaluated"),
        (rr, "review_requested"),
        (rd, "reviewed"),
        (rrr, "rereview_requested"),
        (final, "final"),
        (closed, "closed"),
    ):
        status = np.where(when <= snap, name, status)
    version = sum(
        (w <= snap).astype(np.int64)
        for w in (routed_on, accepted, started, answered, evaluated, rr, rd, rrr, final, closed)
    )
    seen = {
        name: when <= snap
        for name, when in (
            ("routed", routed_on),
            ("accepted", accepted),
            ("started", started),
            ("answered", answered),
            ("delivered", delivered),
            ("rr", rr),
            ("rd", rd),
            ("rrr", rrr),
        )
    }
    assigned = channel == "assigned"
    report_sub = np.where(assigned, answered + rng.integers(0, 8, n), INF)

    # Due dates from the lookup tables (the app's compute_dues, vectorised).
    table = DueTable(int(received.min()), snap, settings.XINFANG_DEADLINE_CONVENTION)
    ans_anchor = np.where(seen["delivered"], delivered, answered)
    dues = {
        "route_due": table.cal(received, 15, np.ones(n, dtype=bool)),
        "objection_due": table.work5(routed_on, seen["routed"]),
        "notice_due": table.cal(
            np.where(seen["routed"], routed_on, received), 15, np.ones(n, bool)
        ),
        "handle_due": table.cal(accepted, 60 + ext, seen["accepted"]),
        "review_request_due": table.cal(ans_anchor, 30, seen["answered"]),
        "review_due": table.cal(rr, 30, seen["rr"]),
        "rereview_request_due": table.cal(rd, 30, seen["rd"]),
        "rereview_due": table.cal(rrr, 30, seen["rrr"]),
    }
    dues["report_due"] = dues["handle_due"]
    report_outstanding = assigned & seen["answered"] & (report_sub > snap)
    step = np.select(
        [
            np.isin(status, ["registered", "objected"]),
            status == "routed",
            np.isin(status, ["accepted", "in_handling"]),
            status == "review_requested",
            status == "rereview_requested",
            np.isin(status, ["answered", "evaluated"]) & report_outstanding,
        ],
        ["route", "notice", "handle", "review", "rereview", "report"],
        default="",
    ).astype(object)
    next_due = np.select(
        [step == s for s in ("route", "notice", "handle", "review", "rereview", "report")],
        [
            dues["route_due"],
            dues["notice_due"],
            dues["handle_due"],
            dues["review_due"],
            dues["rereview_due"],
            dues["report_due"],
        ],
        default=-2,
    )
    pending = np.zeros(n, dtype=bool)
    for values in dues.values():
        pending |= values == -1
    uncovered = min(
        (y for y in range(today.year - 3, today.year + 3) if y not in table.covered),
        default=today.year + 3,
    )
    overdue = (next_due > 0) & (next_due < snap)

    # Text and people.
    topic = rng.integers(0, len(TOPICS), n)
    names = pl.Series(tree.name, dtype=pl.String)
    place = names.gather(responsible - 1)
    summary = _cat([place, pl.Series("关于" + pl.Series(TOPICS).gather(topic))], separator="")
    kind_s = pl.Series(kind.astype(str))
    leaves = list(MatterType.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    registrar = np.array(
        [staff.by_unit_role.get((u, "registrar"), -1) + 1 for u in range(len(tree) + 1)]
    )
    handler = np.array(
        [staff.by_unit_role.get((u, "handler"), -1) + 1 for u in range(len(tree) + 1)]
    )
    reg_user = registrar[registering]
    hnd_user = handler[responsible]
    ids = np.arange(1, n + 1, dtype=np.int64)
    years = pl.Series(_date_series(received)).dt.year().cast(pl.String)
    phone_digest = _hex(rng, n)
    outcome = rng.choice(np.array(["support", "explain", "not_support"]), n, p=[0.3, 0.5, 0.2])
    level = np.array(["", *tree.level], dtype=object)[registering]
    level = np.where(np.isin(level, ["department"]), "county", level)
    level = np.where(registering == tree.province_office, "province", level)
    city_reg = np.isin(registering, p["city_office"])
    level = np.where(city_reg, "city", level)

    petitions = pl.DataFrame(
        {
            "id": ids,
            "number": _cat(
                [pl.Series(["XF"] * n), years, pl.Series(ids).cast(pl.String).str.zfill(7)]
            ),
            "channel": pl.Series(channel.astype(str)),
            "kind": kind_s,
            "matter_type_id": pl.Series(np.array(leaves)[rng.integers(0, len(leaves), n)]),
            "place": place,
            "summary": summary,
            "full_text": _cat(
                [summary, pl.Series(["。请求有关部门依法依规予以处理,并书面答复。"] * n)]
            ),
            "received_on": _date_series(received),
            "head_count": _id_series(head_count, head_count > 0),
            "accused_unit_id": _id_series(accused, acc),
            "accused_person": pl.Series(np.where(acc, "(被反映人)", "").astype(str)),
            "is_confidential": pl.Series(acc & (rng.random(n) < 0.8)),
            "registering_unit_id": _id_series(registering),
            "registrar_id": _id_series(reg_user, (reg_user > 0) & (channel != "online")),
            "responsible_unit_id": _id_series(responsible),
            "handler_id": _id_series(hnd_user, (hnd_user > 0) & seen["started"]),
            "handed_down_by_id": _id_series(handed_by, handed),
            "status": pl.Series(status.astype(str)),
            "version": pl.Series(version),
            "outcome": pl.Series(np.where(seen["answered"], outcome, "").astype(str)),
            "is_final": pl.Series(status == "final"),
            "level_reached": pl.Series(level.astype(str)),
            "query_code_hash": _hex(rng, n),
            "contact_phone_digest": phone_digest,
            "routed_on": _date_series(routed_on, seen["routed"]),
            "accepted_on": _date_series(accepted, seen["accepted"]),
            "extension_days": pl.Series(ext.astype(np.int64)),
            "answered_on": _date_series(answered, seen["answered"]),
            "answer_delivered_on": _date_series(delivered, seen["delivered"]),
            "review_requested_on": _date_series(rr, seen["rr"]),
            "review_decided_on": _date_series(rd, seen["rd"]),
            "rereview_requested_on": _date_series(rrr, seen["rrr"]),
            "report_submitted_on": _date_series(report_sub, report_sub <= snap),
            "closed_on": _date_series(
                np.minimum(closed, final), np.isin(status, ["closed", "final"])
            ),
            **{name: _date_series(values, values > 0) for name, values in dues.items()},
            "next_due": _date_series(next_due, next_due > 0),
            "next_due_step": pl.Series(step.astype(str)),
            "deadline_pending": pl.Series(pending),
            "deadline_notice": pl.Series(
                np.where(pending, pending_notice({uncovered}), "").astype(str)
            ),
            "is_overdue": pl.Series(overdue),
            "overdue_since": _date_series(next_due, overdue),
        }
    )
    if "report_required" in {c for c in _columns("petitions_petition")}:
        petitions = petitions.with_columns(report_required=pl.Series(assigned))

    # Reach: registering, responsible, handing-down office, reviewing body (the parent).
    parent = np.array([0] + [x or 0 for x in tree.parent], dtype=np.int64)
    paths = pl.Series(["", *tree.path], dtype=pl.String)
    reach_parts = [
        (ids, registering, np.ones(n, dtype=bool)),
        (ids, responsible, responsible != registering),
        (ids, handed_by, handed),
        (ids, parent[responsible], seen["rr"]),
    ]
    reach = pl.concat(
        [
            pl.DataFrame({"petition_id": i[m], "unit_id": u[m].astype(np.int64)})
            for i, u, m in reach_parts
        ]
    ).unique(["petition_id", "unit_id"], maintain_order=True)
    reach = reach.sort("petition_id").with_columns(
        id=pl.int_range(1, reach.height + 1, dtype=pl.Int64),
        unit_path=paths.gather(reach["unit_id"]),
    )

    # Petitioners: the primary one, plus two representatives of a collective visit.
    collective = np.flatnonzero(channel == "collective_visit") + 1
    owner = np.concatenate([ids, collective, collective])
    m = owner.size
    phone_tail = rng.integers(0, 10000, m)
    petitioners = pl.DataFrame(
        {
            "id": np.arange(1, m + 1, dtype=np.int64),
            "petition_id": owner,
            "role": ["primary"] * n + ["representative"] * (m - n),
            "name": _cat(
                [
                    pl.Series(list(SURNAMES)).gather(rng.integers(0, len(SURNAMES), m)),
                    pl.Series(list(GIVEN)).gather(rng.integers(0, len(GIVEN), m)),
                ]
            ),
            "wants_confidentiality": pl.Series(
                np.concatenate([acc & (rng.random(n) < 0.8), np.zeros(m - n, dtype=bool)])
            ),
            "phone_digest": pl.concat([phone_digest, _hex(rng, m - n)]),
            "phone_masked": _cat(
                [
                    pl.Series(["13"] * m),
                    pl.Series(rng.integers(0, 10, m)).cast(pl.String),
                    pl.Series(["****"] * m),
                    pl.Series(phone_tail).cast(pl.String).str.zfill(4),
                ]
            ),
        }
    )

    # The overdue notices yesterday's job queued and sent.
    od = np.flatnonzero(overdue)
    step_label = {
        "route": "转送交办",
        "notice": "受理告知",
        "handle": "办理",
        "review": "复查意见",
        "rereview": "复核意见",
        "report": "办结报告",
    }
    sent = datetime.combine(today - timedelta(days=1), datetime.min.time()).astimezone()
    sent_text = sent.isoformat(sep=" ", timespec="seconds")
    od_frame = petitions.select("id", "number", "next_due", "next_due_step", "responsible_unit_id")[
        od
    ]
    # The overdue notices as sent rows of the one outbox (core.Message).
    notifications = od_frame.select(
        pl.int_range(1, od.size + 1, dtype=pl.Int64).alias("id"),
        pl.concat_str(
            [pl.lit("overdue:"), pl.col("id").cast(pl.Utf8), pl.lit(":"), pl.col("next_due_step")]
        ).alias("key"),
        pl.lit("overdue").alias("kind"),
        pl.lit("inbox").alias("channel"),
        pl.lit("sent").alias("status"),
        pl.col("next_due").alias("due"),
        pl.col("responsible_unit_id").alias("recipient_unit_id"),
        pl.concat_str(
            [
                pl.col("number"),
                pl.lit(":"),
                pl.col("next_due_step").replace_strict(step_label, default=""),
                pl.lit("期限为 "),
                pl.col("next_due").dt.strftime("%Y-%m-%d"),
                pl.lit(",已超期,请立即办理"),
            ]
        ).alias("text"),
        pl.lit(sent_text).alias("created_at"),
        pl.lit(sent_text).alias("next_attempt_at"),
        pl.lit(sent_text).alias("sent_at"),
    )
    return {
        "petitions": petitions,
        "reach": reach,
        "petitioners": petitioners,
        "notifications": notifications,
    }


def _columns(table: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


# ---------------------------------------------------------------------------------------
# Facts


def facts_frame(n: int, subjects: int) -> pl.DataFrame:
    """The assessment facts of ``bench/assessment/run.py`` (model-2022 items, 2023)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_assessment_run", common.ROOT / "bench" / "assessment" / "run.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(n, subjects)


def load_facts_pg(loader: Any, facts: pl.DataFrame) -> float:
    import io

    began = time.perf_counter()
    loader.execute(f"DROP TABLE IF EXISTS {common.FACTS_TABLE}")
    loader.execute(
        f"CREATE UNLOGGED TABLE {common.FACTS_TABLE} (subject text NOT NULL, item text NOT NULL,"
        " date date NOT NULL, quantity double precision, value double precision, tags text,"
        " note text)"
    )
    for start in range(0, facts.height, 1_000_000):
        buf = io.BytesIO()
        facts.slice(start, 1_000_000).write_csv(buf, include_header=False)
        sql = f"COPY {common.FACTS_TABLE} FROM STDIN WITH (FORMAT csv)"
        with loader.conn.cursor() as cur, cur.copy(sql) as copy:
            copy.write(buf.getbuffer())
    loader.execute(f"CREATE INDEX ON {common.FACTS_TABLE} (date)")
    loader.execute(f"ANALYZE {common.FACTS_TABLE}")
    return time.perf_counter() - began


# ---------------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    if common.is_postgres(url):
        import psycopg

        name = common.pg_dbname(url)
        with psycopg.connect(common.pg_conninfo(common.pg_admin_url(url)), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    else:
        path = common.sqlite_path(url)
        for old in path.parent.glob(path.name + "*"):
            old.unlink()


def migrate(url: str) -> None:
    env = {
        **dict(__import__("os").environ),
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "xinfang.settings",
    }
    subprocess.run(
        [sys.executable, "-m", "xinfang", "migrate", "--noinput", "-v0"],
        check=True,
        cwd=common.ROOT,
        env=env,
    )


def sample_check(sample: int, today: date) -> tuple[int, int, list[str]]:
    """Recompute due dates of generated matters with the app's own ``apply_dues``."""
    from xinfang.core.calendar import legal_calendar
    from xinfang.petitions.models import Petition
    from xinfang.petitions.workflow import apply_dues

    cal = legal_calendar()
    fields = [
        "route_due",
        "objection_due",
        "notice_due",
        "handle_due",
        "review_request_due",
        "review_due",
        "rereview_request_due",
        "rereview_due",
        "next_due",
        "next_due_step",
        "deadline_pending",
        "is_overdue",
    ]
    total = Petition.objects.count()
    step = max(total // sample, 1)
    ids = list(range(1, total + 1, step))[:sample]
    bad: list[str] = []
    checked = 0
    for p in Petition.objects.filter(pk__in=ids):
        before = {f: getattr(p, f) for f in fields}
        apply_dues(p, calendar=cal, today=today - timedelta(days=1))
        after = {f: getattr(p, f) for f in fields}
        checked += 1
        diff = [f for f in fields if before[f] != after[f]]
        if diff:
            bad.append(
                f"#{p.pk} {p.status}: " + ", ".join(f"{f} {before[f]}≠{after[f]}" for f in diff)
            )
    return checked, len(bad), bad[:5]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the synthetic province.")
    parser.add_argument("--db-url", default=common.DEFAULT_DB_URL)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--no-facts", action="store_true", help="skip the assessment facts")
    args = parser.parse_args(argv)
    url = args.db_url
    common.check_not_test_db(url)
    common.prepare_env()
    common.DATA_DIR.mkdir(parents=True, exist_ok=True)
    n_matters = max(int(MATTERS * args.scale), 1000)
    n_facts = max(int(FACTS * args.scale), 100_000)
    today = date.today()  # noqa: DTZ011 - the office calendar day, local time
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    recreate_database(url)
    began = time.perf_counter()
    migrate(url)
    timings["migrate"] = time.perf_counter() - began
    common.setup_django(url)
    from bench.province.loader import Loader
    from xinfang.core.models import Message as Notification
    from xinfang.org.models import RoleGrant, Unit, User
    from xinfang.petitions.models import Petition, Petitioner, PetitionReach

    rng = np.random.default_rng(SEED)
    tree = build_tree()
    staff = build_staff(tree)
    loader = Loader(url)
    loader.load(Unit, unit_frame(tree))
    users, grants = user_frames(tree, staff)
    loader.load(User, users)
    loader.load(RoleGrant, grants)
    print(f"units {len(tree):,}, staff {users.height:,}, grants {grants.height:,}", flush=True)

    began = time.perf_counter()
    frames = matter_frames(tree, staff, n_matters, today, rng)
    timings["build matters (numpy/polars)"] = time.perf_counter() - began
    print(
        f"built {n_matters:,} matters in {timings['build matters (numpy/polars)']:.1f} s",
        flush=True,
    )
    for model, key in (
        (Petition, "petitions"),
        (PetitionReach, "reach"),
        (Petitioner, "petitioners"),
        (Notification, "notifications"),
    ):
        loader.load(model, frames[key])
        print(
            f"loaded {model._meta.db_table}: {frames[key].height:,} rows in "
            f"{loader.timings[model._meta.db_table]:.1f} s",
            flush=True,
        )
    loader.check_foreign_keys()
    status_counts = frames["petitions"]["status"].value_counts(sort=True)
    overdue = int(frames["petitions"]["is_overdue"].sum())
    pending = int(frames["petitions"]["deadline_pending"].sum())
    del frames

    facts_time = 0.0
    facts_path = common.DATA_DIR / "facts.parquet"
    if not args.no_facts:
        began = time.perf_counter()
        facts = facts_frame(n_facts, len(tree))
        facts.write_parquet(facts_path)
        timings["facts → parquet"] = time.perf_counter() - began
        if loader.vendor == "postgresql":
            timings[f"facts → {common.FACTS_TABLE} (COPY)"] = load_facts_pg(loader, facts)
        del facts
        facts_time = sum(v for k, v in timings.items() if k.startswith("facts"))
    loader.execute(f"DROP TABLE IF EXISTS {common.META_TABLE}")
    loader.execute(f"CREATE TABLE {common.META_TABLE} (key varchar(50) PRIMARY KEY, value text)")
    loader.close()

    from django.db import connection

    checked, mismatched, examples = sample_check(2000, today)
    elapsed = time.perf_counter() - t0
    size = common.database_size(url)
    meta = {
        "generated_on": today.isoformat(),
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "scale": str(args.scale),
        "matters": str(n_matters),
        "facts": str(0 if args.no_facts else n_facts),
        "units": str(len(tree)),
        "staff": str(len(staff.unit)),
        "overdue": str(overdue),
        "pending": str(pending),
        "seconds": f"{elapsed:.1f}",
        "facts_seconds": f"{facts_time:.1f}",
        "db_bytes": str(size),
        "facts_parquet_bytes": str(facts_path.stat().st_size if facts_path.exists() else 0),
        "sample_checked": str(checked),
        "sample_mismatched": str(mismatched),
        "timings": "; ".join(f"{k} {v:.1f} s" for k, v in {**timings, **loader.timings}.items()),
        "statuses": ", ".join(f"{s} {c:,}" for s, c in status_counts.iter_rows()),
    }
    with connection.cursor() as cursor:
        for key, value in meta.items():
            cursor.execute(
                f"INSERT INTO {common.META_TABLE} (key, value) VALUES (%s, %s)",  # noqa: S608
                [key, value],
            )
    print(f"generated in {elapsed:.1f} s; database {common.human_bytes(size)}")
    print("statuses:", meta["statuses"])
    print(f"overdue {overdue:,}, deadline pending {pending:,}")
    print(
        f"due dates re-checked with workflow.apply_dues on {checked:,} matters: "
        f"{mismatched} differ {examples}"
    )
    print("timings:", meta["timings"])
