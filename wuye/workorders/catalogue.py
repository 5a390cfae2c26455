"""The project's catalogue: the category tree, the paid-service price list (有偿服务收费标准) and the warranty terms.
A new project starts with the defaults below (`install_default_catalogue`); the people who own each list edit it
through the service functions further down (console pages, API, the price list's Excel import)."""

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import models, transaction
from django.utils.translation import gettext as _

from wuye.core import workbooks
from wuye.core.access import Actor, Role, require
from wuye.core.errors import InvalidInput, Problems
from wuye.core.events import record_event
from wuye.core.money import to_money
from wuye.core.validators import check_plausible_date, normalize_phone

from .models import Category, Kind, PriceItem, WarrantyTerm

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


# -- master data: categories, the price list and warranty terms, edited by the people who own them ---------------
# Each create or change is checked here (a 422 naming the field, nothing written), saved and recorded as an event
# about the record with the fields that changed, old → new. Records are never deleted: tickets and charge lines
# point at them; `is_active=False` takes one out of the pickers.

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_PRICE = Decimal("100000.00")
DEPARTMENT_ROLES = [role for role in Role.values if role not in (Role.OWNER, Role.COMPANY_ADMIN)]


def _text(problems: Problems, values: dict, name: str, limit: int, *, required: bool = True) -> None:
    if name not in values:
        return
    value = str(values[name] if values[name] is not None else "").strip()
    if required and not value:
        problems.add(name, _("This field is required."))
    elif len(value) > limit:
        problems.add(name, _("At most %(count)s characters.") % {"count": limit})
    values[name] = value


def _flags(problems: Problems, values: dict, *names: str) -> None:
    for name in names:
        if name in values and not isinstance(values[name], bool):
            problems.add(name, _("Choose yes or no."))


def _code(problems: Problems, values: dict, taken) -> None:
    if "code" not in values:
        return
    code = str(values["code"] or "").strip().lower()
    if not CODE_PATTERN.match(code):
        problems.add("code", _("Use 1–40 lower-case letters, digits, '-' or '_'."))
    elif taken(code):
        problems.add("code", _("This code is already used in the project."))
    values["code"] = code


def parse_price(value) -> Decimal:
    """A price in yuan with at most two decimals, 0 to 100,000 (ValueError otherwise)."""
    if isinstance(value, float):
        value = repr(value)  # a number typed in Excel: 45.5 → "45.5", never binary noise
    try:
        price = Decimal(str(value).strip().replace(",", "").lstrip("¥￥"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(_("Enter an amount in yuan, e.g. 45.00.")) from None
    if not price.is_finite() or price != price.quantize(Decimal("0.01")):
        raise ValueError(_("At most two decimals (fen)."))
    if not Decimal(0) <= price <= MAX_PRICE:
        raise ValueError(_("Between 0 and %(max)s.") % {"max": MAX_PRICE})
    return to_money(price)


def _changes(instance, values: dict) -> dict:
    """{field: [old, new]} for the values that differ from `instance`'s, as text (an event's data is JSON)."""

    def shown(value):
        if isinstance(value, models.Model):
            return str(value)
        if value is None or isinstance(value, bool | int):
            return value
        return str(value)

    changed = {}
    for name, new in values.items():
        old = getattr(instance, name) if instance.pk else None  # a new record had nothing before
        if old != new:
            changed[name.removesuffix("_id")] = [shown(old), shown(new)]
    return changed


def _save(actor: Actor, instance, values: dict, kind: str, *, created: bool) -> None:
    changed = _changes(instance, values)
    for name, value in values.items():
        setattr(instance, name, value)
    if not created and not changed:
        return  # nothing changed: no write, no event (a form saved again as it was)
    instance.save()
    record_event(instance, f"catalogue.{kind}_{'created' if created else 'changed'}", actor=actor.user,
                 data={"changes": changed} if not created else {
                     name: change[1] for name, change in changed.items()})


CATEGORY_FIELDS = ("kind", "parent", "code", "name", "responsible_role", "is_active")


def _clean_category(project, values: dict, instance: Category | None) -> dict:
    problems = Problems()
    unknown = set(values) - set(CATEGORY_FIELDS)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], _("Unknown field."))
    kind = values.get("kind", instance.kind if instance else None)
    if instance is not None and "kind" in values and values["kind"] != instance.kind:
        problems.add("kind", _("A category keeps its kind; create a new one instead."))
    elif kind not in Kind.values:
        problems.add("kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Kind.values)})
    _code(problems, values, lambda code: Category.objects.filter(project=project, kind=kind, code=code).exclude(
        pk=getattr(instance, "pk", None)).exists())
    _text(problems, values, "name", 50)
    if "parent" in values and values["parent"] is not None:
        parent = values["parent"]
        if parent.project_id != project.pk or parent.kind != kind:
            problems.add("parent_id", _("The parent must be a category of the same project and kind."))
        elif parent.parent_id is not None or (instance is not None and parent.pk == instance.pk):
            problems.add("parent_id", _("Choose a top-level category (the tree has two levels)."))
        elif instance is not None and instance.children.exists():
            problems.add("parent_id", _("This category has sub-categories; it stays at the top level."))
    if "responsible_role" in values:
        values["responsible_role"] = values["responsible_role"] or ""
        if values["responsible_role"] and values["responsible_role"] not in DEPARTMENT_ROLES:
            problems.add("responsible_role", _("Choose the responsible department."))
    _flags(problems, values, "is_active")
    problems.raise_if_any()
    return values


@transaction.atomic
def create_category(actor: Actor, project, **values) -> Category:
    """Add a category (or a sub-category under `parent`) to the project's tree; recorded
    `catalogue.category_created`. Customer service, managers and quality (workorders.manage_categories)."""
    require(actor, "workorders.manage_categories")
    values.setdefault("parent", None)
    values.setdefault("responsible_role", "")
    values.setdefault("is_active", True)
    for required in ("kind", "code", "name"):
        values.setdefault(required, "")
    category = Category(project=project)
    _save(actor, category, _clean_category(project, values, None), "category", created=True)
    return category


@transaction.atomic
def update_category(actor: Actor, category: Category, **values) -> Category:
    """Rename, move under another parent, change the department or (de)activate a category; the fields that
    changed are recorded old → new (`catalogue.category_changed`). Tickets keep pointing at it."""
    require(actor, "workorders.manage_categories")
    category = Category.objects.select_for_update().get(pk=category.pk)
    _save(actor, category, _clean_category(category.project, values, category), "category", created=False)
    return category


PRICE_FIELDS = ("code", "name", "unit_name", "price", "is_labour", "is_active")


def _clean_price_item(project, values: dict, instance: PriceItem | None) -> dict:
    problems = Problems()
    unknown = set(values) - set(PRICE_FIELDS)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], _("Unknown field."))
    _code(problems, values, lambda code: PriceItem.objects.filter(project=project, code=code).exclude(
        pk=getattr(instance, "pk", None)).exists())
    _text(problems, values, "name", 100)
    _text(problems, values, "unit_name", 10)
    if "price" in values:
        values["price"] = problems.check("price", parse_price, values["price"])
    _flags(problems, values, "is_labour", "is_active")
    problems.raise_if_any()
    return values


@transaction.atomic
def create_price_item(actor: Actor, project, **values) -> PriceItem:
    """Add a line to the project's paid-service price list (engineering, managers:
    workorders.manage_price_list); recorded `catalogue.price_item_created`."""
    require(actor, "workorders.manage_price_list")
    values.setdefault("unit_name", "次")
    values.setdefault("is_labour", False)
    values.setdefault("is_active", True)
    for required in ("code", "name", "price"):
        values.setdefault(required, "")
    item = PriceItem(project=project)
    _save(actor, item, _clean_price_item(project, values, None), "price_item", created=True)
    return item


@transaction.atomic
def update_price_item(actor: Actor, item: PriceItem, **values) -> PriceItem:
    """Change a price-list line (price, name, unit, labour, active); recorded old → new. Charge lines already
    written keep the price they were written with: a new price applies to repairs completed from now on."""
    require(actor, "workorders.manage_price_list")
    item = PriceItem.objects.select_for_update().get(pk=item.pk)
    _save(actor, item, _clean_price_item(item.project, values, item), "price_item", created=False)
    return item


WARRANTY_FIELDS = ("category", "building", "until", "contractor", "contractor_phone", "is_active")


def _clean_warranty_term(project, values: dict, instance: WarrantyTerm | None) -> dict:
    problems = Problems()
    unknown = set(values) - set(WARRANTY_FIELDS)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], _("Unknown field."))
    if "category" in values:
        category = values["category"]
        if category is None:
            problems.add("category_id", _("Choose the system (a repair category)."))
        elif category.project_id != project.pk or category.kind != Kind.REPAIR:
            problems.add("category_id", _("Choose a repair category of this project."))
    if values.get("building") is not None and values["building"].project_id != project.pk:
        problems.add("building_id", _("The building is not in this project."))
    if "until" in values:
        if values["until"] is None:
            problems.add("until", _("Give the last day of the warranty."))
        else:
            problems.check("until", check_plausible_date, values["until"])
    _text(problems, values, "contractor", 100)
    if values.get("contractor_phone"):
        values["contractor_phone"] = problems.check("contractor_phone", normalize_phone, values["contractor_phone"])
    elif "contractor_phone" in values:
        values["contractor_phone"] = ""
    _flags(problems, values, "is_active")
    problems.raise_if_any()
    return values


@transaction.atomic
def create_warranty_term(actor: Actor, project, **values) -> WarrantyTerm:
    """Record the developer's warranty for a system (repair category), for the whole project or one building,
    and the contractor who repairs under it (engineering, managers); recorded `catalogue.warranty_term_created`."""
    require(actor, "workorders.manage_warranty_terms")
    values.setdefault("building", None)
    values.setdefault("contractor_phone", "")
    values.setdefault("is_active", True)
    for required in ("category", "until", "contractor"):
        values.setdefault(required, None if required != "contractor" else "")
    term = WarrantyTerm(project=project)
    _save(actor, term, _clean_warranty_term(project, values, None), "warranty_term", created=True)
    return term


@transaction.atomic
def update_warranty_term(actor: Actor, term: WarrantyTerm, **values) -> WarrantyTerm:
    """Change or end a warranty term; recorded old → new. Repairs already received keep their routing."""
    require(actor, "workorders.manage_warranty_terms")
    term = WarrantyTerm.objects.select_for_update().get(pk=term.pk)
    _save(actor, term, _clean_warranty_term(term.project, values, term), "warranty_term", created=False)
    return term


# -- the price list in Excel: export, and import all-or-nothing ---------------------------------------------------
PRICE_COLUMNS = ("编码", "名称", "单位", "单价（元）", "人工费", "启用")
YES, NO = ("是", "y", "yes", "true", "1"), ("否", "n", "no", "false", "0")
MAX_PRICE_ROWS = 2000


def price_list_workbook(project) -> bytes:
    """The project's price list as an .xlsx in the import's layout (edit it and upload it back)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from wuye.core.spreadsheets import xlsx_row

    book = Workbook()
    sheet = book.active
    sheet.title = "有偿服务收费标准"
    sheet.append(list(PRICE_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in PriceItem.objects.filter(project=project).order_by("code"):
        sheet.append(xlsx_row(sheet, [item.code, item.name, item.unit_name, item.price,
                                      "是" if item.is_labour else "否", "是" if item.is_active else "否"]))
    for column, width in zip("ABCDEF", (18, 30, 8, 12, 8, 8), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class PriceImport:
    """What an import found: with any error nothing was written (`ok` False); otherwise `created` new lines,
    `changed` lines whose values differ, `unchanged` lines as they were (uploading the same file again)."""

    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # core.workbooks.RowError(row, column, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def _flag(value, default: bool) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(_("Write 是 or 否."))


def _read_price_sheet(upload) -> list[tuple[int, dict]]:
    """(row number, {column: value}) of the first sheet's non-empty rows — bounded before parsing and while
    reading by `core.workbooks` (file size, unpacked size, rows, shared strings)."""
    columns, rows = workbooks.read_upload(upload, PRICE_COLUMNS[:4], workbooks.Limits(max_rows=MAX_PRICE_ROWS))
    return [(number, {name: workbooks.cell(row, columns, name) for name in PRICE_COLUMNS}) for number, row in rows]


def import_price_list(actor: Actor, project, upload) -> PriceImport:
    """Import the price list from an .xlsx (columns 编码, 名称, 单位, 单价（元）, optional 人工费 and 启用 as 是/否):
    a line whose code is new is added, one whose code exists takes the file's values. All or nothing: if any row
    has an error, the report lists every one by row and column and nothing is written; a file that is not an
    .xlsx or is too big is refused whole (InvalidInput "file"). Each added or changed line is recorded like an
    edit in the console; uploading the same file again changes nothing. Charge lines already written keep their
    prices."""
    require(actor, "workorders.manage_price_list")
    rows = _read_price_sheet(upload)
    report = PriceImport(rows=len(rows))
    existing = {item.code: item for item in PriceItem.objects.filter(project=project)}
    seen: dict[str, int] = {}
    parsed = []
    for number, cells in rows:
        values, errors = {}, []
        code = str(cells.get("编码") if cells.get("编码") is not None else "").strip().lower()
        if not CODE_PATTERN.match(code):
            errors.append(("编码", _("Use 1–40 lower-case letters, digits, '-' or '_'.")))
        elif code in seen:
            errors.append(("编码", _("Code %(code)s is already on row %(row)s.") % {"code": code, "row": seen[code]}))
        seen.setdefault(code, number)
        for column, name, limit in (("名称", "name", 100), ("单位", "unit_name", 10)):
            text = str(cells.get(column) if cells.get(column) is not None else "").strip()
            if not text:
                errors.append((column, _("This field is required.")))
            elif len(text) > limit:
                errors.append((column, _("At most %(count)s characters.") % {"count": limit}))
            values[name] = text
        try:
            values["price"] = parse_price(cells.get("单价（元）") if cells.get("单价（元）") is not None else "")
        except ValueError as error:
            errors.append(("单价（元）", str(error)))
        for column, name in (("人工费", "is_labour"), ("启用", "is_active")):
            current = existing.get(code)
            default = getattr(current, name) if current else name == "is_active"
            try:
                values[name] = _flag(cells.get(column), default)
            except ValueError as error:
                errors.append((column, str(error)))
        report.errors += [workbooks.RowError(number, column, str(message)) for column, message in errors]
        parsed.append((code, values))
    if report.errors:
        return report
    with transaction.atomic():
        locked = {item.code: item for item in PriceItem.objects.select_for_update().filter(project=project)}
        for code, values in parsed:
            item = locked.get(code)
            if item is None:
                _save(actor, PriceItem(project=project), {"code": code, **values}, "price_item", created=True)
                report.created += 1
            elif _changes(item, values):
                _save(actor, item, values, "price_item", created=False)
                report.changed += 1
            else:
                report.unchanged += 1
    return report
