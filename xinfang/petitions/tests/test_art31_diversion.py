"""条例 Art. 31 (一)—(三): a matter for a statutory procedure (litigation, arbitration,
administrative review …) is diverted; the procedure, the body and its time limit are
recorded and printed in the non-acceptance notice."""

from __future__ import annotations

import pytest

from xinfang.petitions.choices import Diversion, Status
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.tests.factories import make_petition
from xinfang.petitions.workflow import transition

DIVERTED = {
    "diversion": Diversion.ADMIN_REVIEW,
    "diversion_body": "测试县人民政府",
    "diversion_time_limit": "自知道该行政行为之日起60日内",
}


def test_a_diversion_records_procedure_body_and_time_limit(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(
        p, Status.NOT_ACCEPTED, actor=people.handler_a, reason="属行政复议范围", **DIVERTED
    )
    assert p.diversion == Diversion.ADMIN_REVIEW
    assert p.diversion_body == "测试县人民政府"
    assert p.diversion_time_limit == "自知道该行政行为之日起60日内"


@pytest.mark.parametrize("missing", ["diversion_body", "diversion_time_limit"])
def test_a_diversion_without_body_or_time_limit_is_refused(people, missing) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    with pytest.raises(GuardFailed, match="第三十一条"):
        transition(
            p,
            Status.NOT_ACCEPTED,
            actor=people.handler_a,
            reason="属行政复议范围",
            **{**DIVERTED, missing: ""},
        )


def test_a_non_acceptance_without_diversion_keeps_its_reason_only(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.NOT_ACCEPTED, actor=people.handler_a, reason="已超过法定期限")
    assert p.diversion == "" and p.diversion_body == ""
