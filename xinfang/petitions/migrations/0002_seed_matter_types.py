"""Seed a two-level taxonomy of matter types (administrators may edit it afterwards)."""

from django.db import migrations

TAXONOMY = [
    ("01", "农村农业", ["土地承包经营", "宅基地", "农村集体资产", "惠农补贴", "村务管理"]),
    ("02", "城乡建设", ["征地拆迁", "房屋质量", "物业管理", "规划审批", "市政设施"]),
    ("03", "劳动和社会保障", ["拖欠工资", "社会保险", "劳动关系", "就业创业"]),
    ("04", "自然资源和生态环境", ["土地违法", "矿产资源", "环境污染", "林权林地"]),
    ("05", "政法", ["诉讼程序", "治安管理", "司法行政", "公共安全"]),
    ("06", "教育文体卫生", ["教育管理", "医疗纠纷", "卫生健康", "文化体育"]),
    ("07", "交通能源", ["交通出行", "水电气供应", "道路建设"]),
    ("08", "纪检监察", ["违纪违法问题", "作风问题", "选人用人"]),
    ("09", "民政和社会事务", ["社会救助", "养老服务", "婚姻殡葬", "残疾人权益", "退役军人事务"]),
    ("10", "市场监管和消费", ["食品药品安全", "消费维权", "价格收费"]),
    ("99", "其他", ["其他事项"]),
]


def seed(apps, schema_editor):
    MatterType = apps.get_model("petitions", "MatterType")
    for order, (code, name, children) in enumerate(TAXONOMY, start=1):
        parent, _ = MatterType.objects.get_or_create(
            code=code, defaults={"name": name, "order": order}
        )
        for i, child in enumerate(children, start=1):
            MatterType.objects.get_or_create(
                code=f"{code}{i:02d}", defaults={"name": child, "parent": parent, "order": i}
            )


def unseed(apps, schema_editor):
    MatterType = apps.get_model("petitions", "MatterType")
    codes = [code for code, _n, _c in TAXONOMY]
    MatterType.objects.filter(parent__code__in=codes).delete()
    MatterType.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
