"""Demo matters for ``xinfang load_demo`` (registered in ``org.demo.DEMO_HOOKS``).

A dozen matters in various states across the demo units, including an accusation routed
to 县纪委监委 accusing 县自然资源局, a confidential petitioner and an overdue matter.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xinfang.org.demo import DemoCounty
from xinfang.petitions.choices import Channel, Diversion, Kind, Outcome, Rating, RouteMode, Status
from xinfang.petitions.models import MatterType, Petition
from xinfang.petitions.procedure import (
    add_co_handling,
    record_aftercare,
    record_agreement,
    record_recusal,
)
from xinfang.petitions.services import PetitionerData, extend_handling, register_petition
from xinfang.petitions.workflow import (
    PetitionerProof,
    prove_by_query_code,
    take_in_state_step,
    transition,
)

DEMO_PHONE = "13900001111"

ANSWER: dict[str, Any] = {
    "outcome": Outcome.SUPPORT,
    "request": "请求解决所反映问题",
    "facts": "经实地调查核实，反映情况基本属实。",
    "reasons": "该事项属于本机关法定职责范围。",
    "legal_basis": "《信访工作条例》第三十二条",
}


def _type(code: str) -> MatterType | None:
    return MatterType.objects.filter(code=code).first()


def add_demo_petitions(demo: DemoCounty) -> None:
    """Create the demo matters; dates are relative to today so the clock shows something."""
    u, users = demo.units, demo.users
    registrar, handler, leader = users["registrar"], users["handler"], users["leader"]
    town_handler, town_leader = users["handler_town"], users["leader_town"]
    today = timezone.localdate()
    codes: dict[int, str] = {}

    def petitioner(p: Petition) -> PetitionerProof:
        """The demo petitioner rates and asks for review as on the portal: code and phone."""
        proof = prove_by_query_code(codes[p.pk], DEMO_PHONE)
        if proof is None:
            raise RuntimeError("the demo's own query code failed")
        return proof

    def reg(
        summary: str, days_ago: int, *, people: list[PetitionerData] | None = None, **kw: Any
    ) -> Petition:
        kw.setdefault("channel", Channel.LETTER)
        kw.setdefault("kind", Kind.APPEAL)
        registration = register_petition(
            actor=registrar,
            registering_unit=u["petition"],
            summary=summary,
            received_on=today - timedelta(days=days_ago),
            petitioners=people
            or [PetitionerData(name="李明", phone=DEMO_PHONE, address="城关镇东街12号")],
            propose_matches=False,
            **kw,
        )
        codes[registration.petition.pk] = registration.query_code
        return registration.petition

    # 1. Just registered letter.
    reg(
        "反映东街社区道路积水严重，雨天无法通行",
        1,
        matter_type=_type("0205"),
        place="城关镇东街社区",
    )
    # 2. Routed to the land bureau, awaiting acceptance.
    p = reg(
        "反映宅基地审批长期无人答复",
        5,
        matter_type=_type("0102"),
        people=[PetitionerData(name="王芳", phone="13900002222")],
    )
    transition(p, Status.ROUTED, actor=registrar, to_unit=u["land"], mode=RouteMode.FORWARD)
    # 3. Accepted and in handling at the land bureau.
    p = reg(
        "反映征地补偿款未足额发放",
        20,
        channel=Channel.VISIT,
        matter_type=_type("0201"),
        people=[PetitionerData(name="赵强", phone="13900003333", id_number="11010519491231002X")],
    )
    p = transition(
        p,
        Status.ROUTED,
        actor=registrar,
        to_unit=u["land"],
        mode=RouteMode.ASSIGN,
        report_due=today + timedelta(days=50),
    )
    p = transition(p, Status.ACCEPTED, actor=handler, notice="已受理，将于60日内办结")
    transition(p, Status.IN_HANDLING, actor=handler)
    # 4. Extended and answered.
    p = reg("反映土地承包经营权证登记错误", 30, matter_type=_type("0101"))
    p = transition(p, Status.ROUTED, actor=registrar, to_unit=u["land"])
    p = transition(p, Status.ACCEPTED, actor=handler)
    p = transition(p, Status.IN_HANDLING, actor=handler)
    extend_handling(p, actor=leader, days=20, reason="需委托测绘机构重新测量")
    transition(Petition.objects.get(pk=p.pk), Status.ANSWERED, actor=leader, **ANSWER)
    # 5. Town matter answered and rated, then closed.
    p = reg("反映小区物业乱收费", 40, channel=Channel.PHONE, matter_type=_type("0203"))
    p = transition(p, Status.ROUTED, actor=registrar, to_unit=u["城关镇"])
    p = transition(p, Status.ACCEPTED, actor=town_handler)
    p = transition(p, Status.ANSWERED, actor=town_leader, **{**ANSWER, "outcome": Outcome.EXPLAIN})
    p = transition(
        p, Status.EVALUATED, actor=None, petitioner=petitioner(p), rating=Rating.SATISFIED
    )
    transition(p, Status.CLOSED, actor=town_handler)
    # 6. Accusation routed to the discipline body, accusing the land bureau.
    p = reg(
        "检举县自然资源局某工作人员违规审批用地",
        3,
        kind=Kind.ACCUSATION,
        accused_unit=u["land"],
        accused_person="某科长",
        matter_type=_type("0801"),
        people=[PetitionerData(name="匿名检举人", phone="13900004444", wants_confidentiality=True)],
    )
    transition(p, Status.ROUTED, actor=registrar, to_unit=u["discipline"])
    # 7. Confidential petitioner on an appeal.
    p = reg(
        "反映企业拖欠农民工工资三个月",
        6,
        matter_type=_type("0301"),
        people=[PetitionerData(name="陈保密", phone="13900005555", wants_confidentiality=True)],
    )
    transition(p, Status.ROUTED, actor=registrar, to_unit=u["labour"])
    # 8. Overdue: registered 40 days ago and never routed (route due 15 days).
    reg("反映学校周边交通安全隐患", 40, matter_type=_type("0701"))
    # 9. Collective visit with representatives.
    reg(
        "反映养殖场污染环境",
        2,
        channel=Channel.COLLECTIVE_VISIT,
        head_count=23,
        matter_type=_type("0403"),
        people=[
            PetitionerData(name=f"代表{i}", phone=f"1390000660{i}", role="representative")
            for i in range(1, 4)
        ],
    )
    # 10. Not accepted (statutory route elsewhere).
    p = reg("对法院民事判决不服", 10, matter_type=_type("0501"))
    p = transition(p, Status.ROUTED, actor=registrar, to_unit=u["城关镇"])
    transition(
        p,
        Status.NOT_ACCEPTED,
        actor=town_handler,
        reason="属于诉讼程序处理的事项，请依法向人民法院申请再审（《信访工作条例》第三十一条）",
        diversion=Diversion.LITIGATION,
        diversion_body="平安县人民法院",
        diversion_time_limit="判决发生法律效力后六个月内",
    )
    # 11. Online submission.
    register_petition(
        actor=None,
        registering_unit=u["petition"],
        channel=Channel.ONLINE,
        kind=Kind.SUGGESTION,
        summary="建议在西山社区增设公交站点",
        propose_matches=False,
        petitioners=[PetitionerData(name="刘建议", phone="13900007777")],
    )
    # 12. Review requested at the county after a town answer.
    p = reg("反映低保资格被取消", 35, matter_type=_type("0901"))
    p = transition(p, Status.ROUTED, actor=registrar, to_unit=u["城关镇"])
    p = transition(p, Status.ACCEPTED, actor=town_handler)
    p = transition(
        p, Status.ANSWERED, actor=town_leader, **{**ANSWER, "outcome": Outcome.NOT_SUPPORT}
    )
    transition(
        p, Status.REVIEW_REQUESTED, actor=None, petitioner=petitioner(p), reason="对处理意见不服"
    )
    county_leader, city_leader = users.get("county_leader"), users.get("city_leader")
    if county_leader is not None and city_leader is not None:
        # Reviewed by the county, re-review requested at the city (the whole chain).
        p = reg("反映残疾人补贴停发", 50, matter_type=_type("0901"))
        p = transition(p, Status.ROUTED, actor=registrar, to_unit=u["城关镇"])
        p = transition(p, Status.ACCEPTED, actor=town_handler)
        answer = {**ANSWER, "outcome": Outcome.NOT_SUPPORT}
        p = transition(p, Status.ANSWERED, actor=town_leader, **answer)
        p = transition(
            p, Status.REVIEW_REQUESTED, actor=None, petitioner=petitioner(p), reason="不服"
        )
        p = transition(p, Status.REVIEWED, actor=county_leader, **answer)
        transition(
            p,
            Status.REREVIEW_REQUESTED,
            actor=None,
            petitioner=petitioner(p),
            reason="对复查意见仍不服",
        )
    # An opinion the land bureau's handler drafted, awaiting the leader's approval.
    in_handling = Petition.objects.filter(
        responsible_unit=u["land"], status=Status.IN_HANDLING
    ).first()
    if in_handling is not None:
        take_in_state_step(
            in_handling,
            "draft_opinion",
            actor=handler,
            **{**ANSWER, "facts": "经实地核查，补偿款尚有部分未发放。"},
        )
    _add_demo_procedure(demo, reg)


def _add_demo_procedure(demo: DemoCounty, reg: Any) -> None:
    """Matters that show the rest of the 2022 regulation: an objection awaiting the office's
    decision (Art. 23), a 涉法涉诉 matter (Arts. 20, 22, 28), a co-handled matter with an
    agreement (Arts. 24, 33), help after closure (Art. 37), a recusal, and a paper backlog
    entered with its real dates and a late extension (Art. 34)."""
    u, users = demo.units, demo.users
    registrar, handler, leader = users["registrar"], users["handler"], users["leader"]
    town_handler = users["handler_town"]
    today = timezone.localdate()
    backlog = "纸质积案补录，日期按原始登记簿"
    # 13. Objected by the town: the petition office must decide (Art. 23).
    p = reg("反映小区违建加层影响采光", 4, matter_type=_type("0204"))
    p = transition(p, Status.ROUTED, actor=registrar, to_unit=u["城关镇"])
    p = transition(p, Status.OBJECTED, actor=town_handler, reason="违建查处属县住建局职责")
    record_recusal(p, actor=town_handler, reason="本人与信访人系同村近亲属")
    # 14. 涉法涉诉 by its type: not accepted as an ordinary petition.
    reg("不服县法院民事判决，要求重新确认宅基地权属", 2, matter_type=_type("0501"))
    # 15. Matter 3's handling: the town co-handles a part; an agreement was reached.
    p = Petition.objects.get(summary="反映征地补偿款未足额发放")
    add_co_handling(p, actor=leader, unit=u["城关镇"], part="核实征地范围内农户名单")
    record_agreement(
        p,
        actor=handler,
        kind="mediation",
        parties="赵强、平安县自然资源局",
        text="补偿款差额于30日内补发到位",
    )
    # 16. Help after closure of matter 5 (Art. 37).
    p = Petition.objects.get(summary="反映小区物业乱收费")
    record_aftercare(p, actor=town_handler, measure="协调社区为信访人申请临时救助")
    # 17. A paper backlog: steps entered with their real dates; extended after expiry.
    p = reg("反映集体林地流转收益未公开", 120, matter_type=_type("0404"))
    p = transition(
        p,
        Status.ROUTED,
        actor=registrar,
        to_unit=u["land"],
        occurred_on=today - timedelta(days=118),
        occurred_reason=backlog,
    )
    p = transition(
        p,
        Status.ACCEPTED,
        actor=handler,
        occurred_on=today - timedelta(days=110),
        occurred_reason=backlog,
    )
    extend_handling(
        p,
        actor=leader,
        days=30,
        reason="需审计村集体账目",
        late_reason="原经办人调离，期限届满前未报批",
    )
