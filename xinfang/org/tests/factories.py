"""factory_boy factories of units and accounts."""

from __future__ import annotations

from typing import Any

import factory

from xinfang.org.choices import AccountKind, UnitLevel
from xinfang.org.models import RoleGrant, Unit, User
from xinfang.shell.testing import PASSWORD


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"单位{n}")
    level = UnitLevel.TOWNSHIP
    admin_code = factory.Sequence(lambda n: f"33{n:010d}")


class StaffFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = factory.Sequence(lambda n: f"工作人员{n}")
    kind = AccountKind.STAFF
    unit = factory.SubFactory(UnitFactory)

    @factory.post_generation
    def password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class CitizenFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"citizen-test-{n}")
    full_name = factory.Sequence(lambda n: f"群众{n}")
    kind = AccountKind.CITIZEN
    phone = factory.Sequence(lambda n: f"137{n:08d}")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class RoleGrantFactory(factory.django.DjangoModelFactory[RoleGrant]):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(StaffFactory)
    unit = factory.SubFactory(UnitFactory)
    role = "handler"
