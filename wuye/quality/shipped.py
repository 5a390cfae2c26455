"""The standards the product ships with (SPEC §6): what `standards.install_shipped_standards(company)` puts in a
company's library. Content only; the rules are in `standards.py`.

- `window-service` — 物业窗口服务标准, seed 002: categories 1–3 and items 1–22 exactly as the seed words them
  (an item the seed breaks over two paragraphs is one item; the seed's own punctuation is kept). Each item is
  worth its share of 100 points; a failure costs 1.5 points.
- `daily-residential` — 住宅项目日常检查表, built from seed 004 (the district's daily-check areas: security and
  order, parking, cleaning, greening, shared facilities, service results), each item with its responsible
  department; blocked fire lanes and missing fire equipment are critical (they fail the whole check).
- `year-end-review` — 年终考核, the year-end review that weighs 40 % of a project's annual score (seed 004).

Categories and items are plain dicts in the shape `standards.create_standard(..., categories=...)` takes.
"""

from __future__ import annotations


def _item(number: int, text: str, points: str, deduction: str, *, severity: str = "minor",
          department: str = "customer_service", critical: bool = False) -> dict:
    return {"number": number, "text": text, "points": points, "deduction": deduction, "critical": critical,
            "severity": severity, "department": department}


def _category(number: int, name: str, items: list[dict]) -> dict:
    return {"number": number, "name": name, "items": items}


WINDOW_SERVICE = {
    "code": "window-service",
    "name": "物业窗口服务标准",
    "purpose": "window",
    "description": "物业窗口服务要点（人行出入口、车行出入口、道路、广场），逐项检查窗口岗位的服务与环境。",
    "categories": [
        _category(1, "人行出入口", [
            _item(1, "安全员服装整洁、发不过耳、面容清洁、仪容端正。",
                  "4.5", "1.5", severity="minor", department="security"),
            _item(2, "安全员对客户亲切友好:对进出客户主动点头示意、微笑或问好。如遇客户询问或需主动与"
                      "其交涉须主动敬礼,并使用文明礼貌用语,双手接递物品。",
                  "4.5", "1.5", severity="minor", department="security"),
            _item(3, "识别外来人员,礼貌询问、核实、登记和指引。",
                  "4.5", "1.5", severity="major", department="security"),
            _item(4, "岗亭、服务台完好、干净;物品摆放整齐。",
                  "4.5", "1.5", severity="minor", department="security"),
            _item(5, "门禁使用正常,无破损生锈、开启正常,力量适中,关闭时无冲撞声响;标识破损、干净、"
                      "清晰。",
                  "4.5", "1.5", severity="major", department="engineering"),
            _item(6, "太阳伞及伞座无破损、褪色,不用时卷放整齐。",
                  "4.5", "1.5", severity="minor", department="security"),
            _item(7, "地面无杂物、污迹、积水、明显积尘。",
                  "4.5", "1.5", severity="minor", department="environment"),
            _item(8, "周边花草树木长势良好,整齐美观,无枯枝黄叶、黄土裸露。",
                  "4.5", "1.5", severity="minor", department="environment"),
            _item(9, "夜间照明正常。",
                  "4.5", "1.5", severity="major", department="engineering"),
        ]),
        _category(2, "车行出入口", [
            _item(10, "安全员服装整洁、发不过耳、面容清洁、仪容端正。",
                  "4.5", "1.5", severity="minor", department="security"),
            _item(11, "在没有车辆进出时保持良好站姿;在车辆驶近或等客户摇下车窗时,主动目视客户,微笑并"
                      "敬礼。和客户交谈时使用文明礼貌用语,双手接递物品。",
                  "4.5", "1.5", severity="minor", department="security"),
            _item(12, "收费主动提供票据(票据平整干净),客户不要的发票投入废票箱。",
                  "4.5", "1.5", severity="minor", department="security"),
            _item(13, "交通标识齐全,无破损、干净、清晰。",
                  "4.5", "1.5", severity="minor", department="engineering"),
            _item(14, "岗亭、雨棚完好,无破损、褪色。",
                  "4.5", "1.5", severity="minor", department="engineering"),
            _item(15, "道闸开启正常;读卡器、道闸干净,无油漆斑驳。",
                  "4.5", "1.5", severity="minor", department="engineering"),
            _item(16, "夜间照明亮度适中,不刺眼,安全员身着反光衣。",
                  "4.5", "1.5", severity="major", department="engineering"),
            _item(17, "减速坡(路拱)牢固固定,螺栓无突出、无破损、斑驳。",
                  "4.5", "1.5", severity="minor", department="engineering"),
            _item(18, "路面无破损、杂物、污迹、积水。",
                  "4.5", "1.5", severity="minor", department="environment"),
            _item(19, "周边花草树木长势良好,整齐美观,无枯枝黄叶、黄土裸露。",
                  "4.5", "1.5", severity="minor", department="environment"),
        ]),
        _category(3, "道路、广场", [
            _item(20, "上下班高峰期前加强主干道、广场巡逻频次、清扫力度,确保路面没有垃圾杂物,交通快捷"
                      "、安全、有序。",
                  "5", "1.5", severity="minor", department="security"),
            _item(21, "对小区内可疑及闲杂人员及时问询;对不文明的行为(包括不文明养宠等)及时劝阻、制止"
                      "。",
                  "5", "1.5", severity="major", department="security"),
            _item(22, "路遇客户表现得亲切有礼,放慢脚步(单车巡逻岗放慢车速或停车)让路,和客户有眼光接"
                      "触时应点头微笑示意或问好。",
                  "4.5", "1.5", severity="minor", department="security"),
        ]),
    ],
}

DAILY_RESIDENTIAL = {
    "code": "daily-residential",
    "name": "住宅项目日常检查表",
    "purpose": "daily",
    "description": "住宅项目日常检查：安全秩序、车辆停放、清洁卫生、绿化养护、共用设施设备、服务结果。"
                   "消防通道堵塞、消防器材缺失为否决项。",
    "categories": [
        _category(1, "安全秩序", [
            _item(1, "秩序维护员统一着装，门岗24小时值班，交接班记录完整。", "4", "1", department="security"),
            _item(2, "按规定时间到指定区域巡查，夜间加强车库、楼道及小区四周等重点部位巡查。", "4", "1",
                  department="security", severity="major"),
            _item(3, "监控系统等技防设施完好，运行正常，录像保存完整。", "4", "2", department="security",
                  severity="major"),
            _item(4, "消防通道畅通，无车辆、杂物堵塞占用。", "4", "4", department="security", severity="critical",
                  critical=True),
            _item(5, "消防设施器材齐全完好，灭火器、消火栓无缺失、无过期。", "4", "4", department="engineering",
                  severity="critical", critical=True),
        ]),
        _category(2, "车辆停放", [
            _item(6, "车辆按规定停放，无乱停乱放。", "4", "1", department="security"),
            _item(7, "车库方向指示、导示牌齐全清晰。", "4", "1", department="security"),
            _item(8, "停车管理告示张贴到位，内容清楚。", "4", "1", department="security"),
            _item(9, "地下车库有专人保洁，地面无垃圾、油污、积水。", "4", "1", department="environment"),
        ]),
        _category(3, "清洁卫生", [
            _item(10, "生活垃圾日产日清，垃圾桶无满溢、无异味。", "4", "1", department="environment"),
            _item(11, "楼道地面干净，无杂物、污迹、小广告。", "4", "1", department="environment"),
            _item(12, "装修垃圾及时清运，无乱堆乱放。", "4", "1", department="environment"),
            _item(13, "二次供水水箱按期清洗消毒，记录齐全。", "4", "2", department="engineering",
                  severity="major"),
            _item(14, "按期开展消杀工作，有记录。", "4", "1", department="environment"),
        ]),
        _category(4, "绿化养护", [
            _item(15, "花草树木长势良好，无枯死、无大面积病虫害和缺损。", "4", "1", department="environment"),
            _item(16, "草坪修剪整齐，无黄土裸露，无杂草。", "4", "1", department="environment"),
        ]),
        _category(5, "共用设施设备", [
            _item(17, "水、电、气、电梯等共用设施设备运行正常，维修保养记录完整。", "4", "2",
                  department="engineering", severity="major"),
            _item(18, "楼道照明完好，无损坏。", "4", "1", department="engineering"),
            _item(19, "存在危险隐患的部位有防护措施和警示标识。", "4", "2", department="engineering",
                  severity="major"),
            _item(20, "房屋外观完好，无违章搭建。", "4", "1", department="customer_service"),
            _item(21, "业主违章装修行为及时发现、劝阻并上报。", "4", "1", department="customer_service"),
        ]),
        _category(6, "服务结果", [
            _item(22, "公示24小时服务电话，急修半小时内到场。", "4", "2", department="customer_service",
                  severity="major"),
            _item(23, "报修、投诉有完整记录，及时处理并回访。", "4", "1", department="customer_service"),
            _item(24, "管理服务人员佩戴标志，服务主动、热情。", "4", "1", department="customer_service"),
            _item(25, "每半年至少一次征询业主对物业服务的意见。", "4", "1", department="customer_service"),
        ]),
    ],
}

YEAR_END_REVIEW = {
    "code": "year-end-review",
    "name": "年终考核",
    "purpose": "year_end",
    "description": "年终考核占全年综合得分的 40%（日常检查占 60%），低于 60 分为不合格。",
    "categories": [
        _category(1, "综合管理", [
            _item(1, "签订并公示物业服务合同，管理人员持证上岗。", "10", "5", department="project_manager"),
            _item(2, "规章制度和岗位责任制健全，业主档案、设备档案完整。", "10", "5",
                  department="project_manager"),
        ]),
        _category(2, "房屋及共用设施设备", [
            _item(3, "共用设施设备全年维修养护计划按期完成。", "15", "5", department="engineering",
                  severity="major"),
            _item(4, "安全隐患排查整改闭环，全年无重大责任事故。", "15", "15", department="engineering",
                  severity="critical"),
        ]),
        _category(3, "公共秩序维护", [
            _item(5, "全年门岗值班、巡查记录完整，技防设施完好。", "10", "5", department="security"),
        ]),
        _category(4, "清洁卫生", [
            _item(6, "生活垃圾日产日清，二次供水水箱按期清洗，按期开展消杀。", "10", "5", department="environment"),
        ]),
        _category(5, "绿化养护", [
            _item(7, "绿化有专业人员养护，无枯死、无大面积病虫害。", "10", "5", department="environment"),
        ]),
        _category(6, "服务结果评价", [
            _item(8, "全年开展满意度调查不少于两次，满意率达到目标。", "10", "5", department="customer_service"),
            _item(9, "投诉处理及时，报修回访覆盖全部工单。", "10", "5", department="customer_service"),
        ]),
    ],
}

SHIPPED_STANDARDS = (WINDOW_SERVICE, DAILY_RESIDENTIAL, YEAR_END_REVIEW)

# The three service levels as packages: the SLA standard (time limits) each promises and the standards a project
# of that level is inspected by.
SHIPPED_PACKAGES = {
    "level_1": {"name": "一级服务包", "sla": "five-star",
                "description": "五星级时限（紧急 15 分钟、一般 2 小时、投诉 24 小时答复），按全部检查标准考核。",
                "standards": ("window-service", "daily-residential", "year-end-review")},
    "level_2": {"name": "二级服务包", "sla": "spec-default",
                "description": "标准时限，按日常检查表和年终考核考核。",
                "standards": ("daily-residential", "year-end-review")},
    "level_3": {"name": "三级服务包", "sla": "spec-default",
                "description": "标准时限，按日常检查表和年终考核考核。",
                "standards": ("daily-residential", "year-end-review")},
}
