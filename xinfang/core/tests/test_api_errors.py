"""One API error handler (``xinfang.api``) answers the domain's exceptions.

Endpoints raise the exception tree of ``core.errors`` (and the apps' subclasses); nothing
translates them by hand, so a status never depends on a message's words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import RequestFactory

from xinfang.api import domain_error, status_for
from xinfang.core.errors import (
    ConcurrentChange,
    InputInvalid,
    NotFoundOrForbidden,
    TransitionNotAllowed,
    XinfangError,
)
from xinfang.petitions.errors import (
    AccusationRoutingRefused,
    GuardFailed,
    PetitionError,
    StepInputInvalid,
)
from xinfang.supervision.errors import SupervisionInvalid


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (NotFoundOrForbidden("信访事项不存在"), 404),
        (ConcurrentChange("该事项已被他人处理，请刷新后重试"), 409),
        (ConcurrentChange("记录已变更"), 409),  # the words do not choose the status
        (InputInvalid("参数无效"), 422),
        (StepInputInvalid("“受理”不接受参数：x"), 422),
        (TransitionNotAllowed("不能转为该状态"), 400),
        (GuardFailed("已超过期限"), 400),
        (PetitionError("代表不得超过5人"), 400),
        (AccusationRoutingRefused("第三十条"), 400),
        (SupervisionInvalid("单位不存在"), 400),
        (XinfangError("其他"), 400),
    ],
)
def test_each_domain_error_has_its_status(exc: XinfangError, status: int) -> None:
    assert status_for(exc) == status


def test_the_handler_answers_with_the_chinese_message() -> None:
    response = domain_error(RequestFactory().post("/api/x"), ConcurrentChange("已被他人处理"))
    assert response.status_code == 409
    assert json.loads(response.content) == {"detail": "已被他人处理"}


PACKAGE = Path(__file__).resolve().parents[2]
TRANSLATION = re.compile(r"\bHttpError\b|except\s+\(?\s*(XinfangError|ConcurrentChange|\w+Error\b)")


def test_no_endpoint_translates_exceptions_by_hand() -> None:
    modules = [p for p in PACKAGE.rglob("api.py") if "tests" not in p.parts]
    modules += [p for p in PACKAGE.rglob("api/*.py") if "tests" not in p.parts]
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in modules
        if path != PACKAGE / "api.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TRANSLATION.search(line)
    ]
    assert not found, "raise the domain's exception; xinfang.api answers it:\n" + "\n".join(found)
