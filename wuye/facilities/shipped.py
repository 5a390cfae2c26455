"""The categories and reading points the product ships with (seed 001 ch.4; SPEC §4).

`install_categories(company)` writes them for a company and may run again at any time: categories are matched by
code and brought back to what ships (name, kind, reading interval, post-repair test), points likewise by code.
A point the company added itself is left alone, and so is an item's own limit (`ReadingPoint.equipment` set).

Where each figure comes from is said beside it: the seed (001 ch.4 — "值班人员每小时填写《设施设备运行记录表》",
"电梯每小时巡查一次", "记录运行参数（如电梯运行次数、供电电压）", "电梯空载运行3次") or a common Chinese
engineering norm (GB standard named). Limits that depend on the particular machine (a motor's rated current)
ship without a bound: the item carries its own (`limits_for` lets it win)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from wuye.tenancy.models import Company

from .models import CategoryKind, EquipmentCategory, ReadingPoint

# The seed: duty staff fill in the operation record every hour (ch.4 §1 step 2), elevators are checked hourly.
HOURLY = 60


@dataclass(frozen=True)
class Point:
    code: str
    label: str
    unit: str = ""
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    kind: str
    reading_interval_minutes: int = 0
    post_repair_test: str = ""
    post_repair_test_runs: int = 1
    points: tuple[Point, ...] = field(default=())


CATEGORIES: tuple[Category, ...] = (
    Category(
        "elevator", "电梯", CategoryKind.ELEVATOR, HOURLY,
        # Seed ch.4 §3 step 5: after a repair the elevator runs empty three times before it is back in service.
        post_repair_test="空载运行3次", post_repair_test_runs=3,
        points=(
            # Seed ch.4 §1: "电梯运行次数" is what the hourly log records; a count, no normal range.
            Point("runs", "运行次数", "次", low=Decimal("0")),
            # Landing doors that do not close or lock properly, counted: any one is an anomaly (seed's example of
            # an anomaly is an elevator stuck at a floor; a door fault is its commonest cause).
            Point("door_faults", "层门异常数", "处", low=Decimal("0"), high=Decimal("0")),
            # GB/T 10058-2009 电梯技术条件 §3.2: machine-room air kept between +5 °C and +40 °C.
            Point("machine_room_temp", "机房温度", "℃", low=Decimal("5"), high=Decimal("40")),
        )),
    Category(
        "water_pump", "生活水泵", CategoryKind.WATER, HOURLY,
        post_repair_test="试运行正常", post_repair_test_runs=1,
        points=(
            # GB 50015-2019 建筑给水排水设计标准 §3.4: a fixture's working pressure at most 0.60 MPa (static 0.45 MPa
            # per zone); below about 0.15 MPa at the pump outlet upper floors of a zone lose pressure (common
            # practice for secondary-supply pumps). Items set their own design head where it differs.
            Point("outlet_pressure", "出水压力", "MPa", low=Decimal("0.15"), high=Decimal("0.60")),
            # Motor current: the rated current is on the motor's plate; each item carries it as its own limit.
            Point("motor_current", "电机电流", "A", low=Decimal("0")),
        )),
    Category(
        "power", "配电柜", CategoryKind.POWER, HOURLY,
        post_repair_test="送电试运行正常", post_repair_test_runs=1,
        points=(
            # Three-phase line voltage, nominal 380 V: GB/T 12325-2008 (电能质量 供电电压偏差) allows ±7 %,
            # 353.4–406.6 V, rounded inward to whole volts.
            Point("voltage", "电压", "V", low=Decimal("354"), high=Decimal("406")),
            # Current: bounded by the incoming breaker's rating, which is the item's own limit.
            Point("current", "电流", "A", low=Decimal("0")),
        )),
    # Extinguishers and hydrants are checked monthly / quarterly by plans (seed ch.6), not on the hourly log.
    Category("fire_extinguisher", "灭火器", CategoryKind.FIRE),
    Category(
        "hydrant", "消火栓", CategoryKind.FIRE,
        post_repair_test="放水试验正常", post_repair_test_runs=1,
        points=(
            # GB 50974-2014 消防给水及消火栓系统技术规范 §7.4.12: outlet running pressure at most 0.50 MPa, and at
            # least 0.35 MPa in high-rise buildings (0.25 MPa elsewhere: such items carry their own limit).
            # Read during the quarterly check, not hourly (reading interval 0).
            Point("outlet_pressure", "栓口动压", "MPa", low=Decimal("0.35"), high=Decimal("0.50")),
        )),
    Category("fire_alarm", "火灾报警控制器", CategoryKind.FIRE,
             post_repair_test="自检及火警、故障报警功能正常", post_repair_test_runs=1),
    Category(
        "hvac", "空调机组", CategoryKind.HVAC,
        post_repair_test="试运行正常", post_repair_test_runs=1,
        points=(
            # GB 50736-2012 民用建筑供暖通风与空气调节设计规范 §8.5.1: chilled water supplied at 7 °C (5–9 °C band);
            # logged when the plant runs in summer, not on the hourly round (reading interval 0).
            Point("chilled_water_temp", "冷冻水出水温度", "℃", low=Decimal("5"), high=Decimal("9")),
        )),
    Category("access_control", "门禁", CategoryKind.ACCESS,
             post_repair_test="刷卡开门测试正常", post_repair_test_runs=1),
    Category("cctv", "监控", CategoryKind.CCTV, post_repair_test="画面及录像回放正常", post_repair_test_runs=1),
)


@transaction.atomic
def install_categories(company: Company) -> dict[str, EquipmentCategory]:
    """The shipped categories of `company` with their reading points, by code (idempotent: a rerun writes the
    same rows and adds nothing)."""
    installed: dict[str, EquipmentCategory] = {}
    for order, spec in enumerate(CATEGORIES, start=1):
        category, _created = EquipmentCategory.objects.update_or_create(
            company=company, code=spec.code,
            defaults={"name": spec.name, "kind": spec.kind, "reading_interval_minutes": spec.reading_interval_minutes,
                      "post_repair_test": spec.post_repair_test, "post_repair_test_runs": spec.post_repair_test_runs,
                      "order": order * 10})
        for point_order, point in enumerate(spec.points, start=1):
            ReadingPoint.objects.update_or_create(
                category=category, equipment=None, code=point.code,
                defaults={"label": point.label, "unit": point.unit, "low": point.low, "high": point.high,
                          "order": point_order * 10})
        installed[spec.code] = category
    return installed
