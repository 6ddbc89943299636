"""Choices of the organisation app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（区）")
    TOWNSHIP = "township", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")
    GRID = "grid", _("网格")
    DEPARTMENT = "department", _("部门")
    SUBUNIT = "subunit", _("内设机构")


# Territorial levels from the top, used for "the highest level a matter reached".
TERRITORIAL_ORDER = [
    UnitLevel.PROVINCE,
    UnitLevel.CITY,
    UnitLevel.COUNTY,
    UnitLevel.TOWNSHIP,
    UnitLevel.VILLAGE,
    UnitLevel.GRID,
]


class AccountKind(models.TextChoices):
    STAFF = "staff", _("工作人员")
    CITIZEN = "citizen", _("群众")


class Role(models.TextChoices):
    REGISTRAR = "registrar", _("登记员")
    HANDLER = "handler", _("承办人")
    UNIT_LEADER = "unit_leader", _("单位负责人")
    SUPERVISOR = "supervisor", _("督办人")
    RECEIVING_LEADER = "receiving_leader", _("接访领导")
    DUTY_OFFICER = "duty_officer", _("值班员")
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_HEAD = "grid_head", _("格长")
    GRID_SUPERVISOR = "grid_supervisor", _("网格督导员")
    ASSESSMENT_OFFICER = "assessment_officer", _("考评办")
    ADMINISTRATOR = "administrator", _("系统管理员")
