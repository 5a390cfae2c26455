"""The default category tree and paid-service price list a new project starts with (editable per project)."""

from decimal import Decimal

from django.db import transaction

from wuye.core.access import Role

from .models import Category, Kind, PriceItem

ENG, CS, SEC, ENV, FIN, PM = (Role.ENGINEERING, Role.CUSTOMER_SERVICE, Role.SECURITY, Role.ENVIRONMENT,
                              Role.FINANCE, Role.PROJECT_MANAGER)

REPAIR_CATEGORIES = {
    ("plumbing", "给排水"): [("burst-pipe", "水管爆裂"), ("leak", "漏水渗水"), ("blockage", "下水堵塞"),
                            ("tap", "龙头/阀门")],
    ("electrical", "电气"): [("power-loss", "停电跳闸"), ("socket", "插座开关"), ("lighting", "灯具")],
    ("doors-windows", "门窗"): [("lock", "门锁"), ("window", "窗户/纱窗")],
    ("elevator", "电梯"): [("entrapment", "电梯困人"), ("elevator-fault", "电梯故障")],
    ("building", "房屋本体"): [("waterproofing", "防水/渗漏"), ("wall-crack", "墙面开裂")],
    ("public", "公共设施"): [("public-lighting", "公共照明"), ("access-control", "门禁对讲"),
                           ("public-plumbing", "公共管道")],
}
COMPLAINT_CATEGORIES = [
    ("attitude", "服务态度", CS), ("engineering-quality", "工程质量", ENG), ("fees", "收费问题", FIN),
    ("management", "管理措施", PM), ("facilities", "设施故障", ENG), ("neighbour", "邻里纠纷", SEC),
    ("other", "其他", CS),
]
PRICE_LIST = [
    ("labour-basic", "上门维修人工费", "次", "30.00", True),
    ("labour-hour", "维修工时费", "小时", "50.00", True),
    ("tap", "水龙头（含安装）", "个", "45.00", False),
    ("angle-valve", "角阀", "个", "25.00", False),
    ("socket", "插座面板", "个", "18.00", False),
    ("led-bulb", "LED 灯泡", "个", "12.00", False),
    ("drain-clear", "下水管道疏通", "次", "80.00", False),
    ("lock-cylinder", "门锁锁芯", "个", "120.00", False),
]


@transaction.atomic
def install_default_catalogue(project) -> None:
    """Categories (repairs, complaints, inquiries …) and the price list; idempotent."""
    for (code, name), children in REPAIR_CATEGORIES.items():
        parent, _ = Category.objects.get_or_create(project=project, kind=Kind.REPAIR, code=code,
                                                   defaults={"name": name, "responsible_role": ENG})
        for child_code, child_name in children:
            Category.objects.get_or_create(project=project, kind=Kind.REPAIR, code=child_code,
                                           defaults={"name": child_name, "parent": parent, "responsible_role": ENG})
    for code, name, role in COMPLAINT_CATEGORIES:
        Category.objects.get_or_create(project=project, kind=Kind.COMPLAINT, code=code,
                                       defaults={"name": name, "responsible_role": role})
    for code, name, unit_name, price, labour in PRICE_LIST:
        PriceItem.objects.get_or_create(project=project, code=code, defaults={
            "name": name, "unit_name": unit_name, "price": Decimal(price), "is_labour": labour})
