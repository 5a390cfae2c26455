"""The default takeover checklist by system and the default document handover list, copied into every new
takeover (data, edited per takeover afterwards).

Source: seed 001 (物业管理服务流程培训教材) ch.2 §2 接管验收流程 — the scope (房屋本体、设施设备、公共区域), the
standard 《建筑工程质量验收统一标准》, the key checks (房屋本体无结构性裂缝、墙面平整; 设施设备能正常运行，如电梯空载
运行3次无异常; 公共区域清洁、无破损) and the documents (房屋产权证明、设施设备说明书、施工图纸, 设施设备保修卡 with
warranty period and responsible firm); ch.2 §1 (隐蔽工程影像记录, 物业用房位置合理、面积达标); ch.4 and ch.6 for the
running checks of pumps, power, fire equipment and gates. Items marked "seed" quote it; the others spell out
what the seed names in general terms (水电线路、消防设施)."""

from __future__ import annotations

from .models import DocumentCategory as D
from .models import System as S

STANDARD = "《建筑工程质量验收统一标准》"

# system → [(item, standard or reference)]
CHECKLIST: dict[str, list[tuple[str, str]]] = {
    S.CIVIL: [
        ("房屋本体无结构性裂缝", STANDARD),  # seed
        ("墙面平整，无空鼓、开裂、渗水", STANDARD),  # seed: 墙面平整
        ("地面平整，无起砂、空鼓", STANDARD),  # seed: 地面
        ("门窗开关灵活、密封良好，玻璃无破损", STANDARD),
        ("屋面、外墙及地下室无渗漏", STANDARD),
    ],
    S.PLUMBING: [
        ("给水管道无渗漏，阀门启闭灵活", STANDARD),
        ("排水管道通畅，无堵塞、倒灌", STANDARD),
        ("水泵房设备运行正常、标识清晰", "seed 第四章：给排水设施设备正常运行"),
        ("二次供水水箱清洁，水质检测报告齐全", "二次供水卫生要求"),
    ],
    S.ELECTRICAL: [
        ("配电柜（箱）运行正常、标识清晰", "seed 第四章：供电系统24小时监控"),
        ("水电线路敷设规范、绝缘良好", STANDARD),  # seed: 水电线路
        ("公共照明及应急照明正常", STANDARD),
        ("防雷接地检测合格", "防雷检测报告"),
    ],
    S.ELEVATORS: [
        ("电梯空载运行3次无异常", "seed 第二章：电梯空载运行3次无异常"),  # seed
        ("电梯五方对讲畅通，应急照明有效", "电梯安全技术规范"),
        ("电梯检验合格证在有效期内并张贴", "电梯安全技术规范"),
        ("轿厢、层门无破损，平层准确", "电梯安全技术规范"),
    ],
    S.FIRE: [
        ("灭火器、消火栓配置齐全、完好有效", "seed 第六章：消防设施检查"),  # seed: 消防设施
        ("火灾自动报警系统联动正常", "消防验收意见"),
        ("消防通道畅通，疏散标识齐全", "seed 第六章：消防通道保持畅通"),
        ("防排烟系统运行正常", "消防验收意见"),
    ],
    S.HVAC: [
        ("空调、新风机组运行正常", "设备说明书"),
        ("公共区域通风设施运行正常", "设备说明书"),
    ],
    S.WEAK_CURRENT: [
        ("监控系统画面清晰、无死角", "seed 第六章：监控无死角"),
        ("门禁及楼宇对讲系统正常", "设备说明书"),
        ("停车场道闸及车牌识别正常", "seed 第六章：车辆管理"),
    ],
    S.PUBLIC_AREAS: [
        ("公共区域清洁、无破损", "seed 第二章：公共区域需清洁、无破损"),  # seed
        ("道路、停车场标线清晰，井盖完好", STANDARD),
        ("绿化景观完好，无缺苗、枯死", "景观设计图"),
        ("物业用房位置合理、面积达标", "seed 第二章：物业用房需满足位置合理、面积达标"),
    ],
}

# [(category, name, copies expected)] — the seed's 资料移交清单 with its 设施设备保修卡.
DOCUMENTS: list[tuple[str, str]] = [
    (D.CERTIFICATE, "房屋产权证明资料"),  # seed
    (D.CERTIFICATE, "竣工验收备案表"),
    (D.CERTIFICATE, "消防验收合格意见书"),
    (D.CERTIFICATE, "电梯使用登记证及检验报告"),
    (D.DRAWING, "竣工图纸（建筑、结构）"),  # seed: 施工图纸
    (D.DRAWING, "竣工图纸（给排水、电气、暖通、弱电）"),
    (D.RECORD, "隐蔽工程验收记录及影像资料"),  # seed ch.2 §1
    (D.MANUAL, "设施设备说明书"),  # seed
    (D.WARRANTY, "电梯保修卡"),  # seed: 设施设备保修卡
    (D.WARRANTY, "水泵及二次供水设备保修卡"),
    (D.WARRANTY, "配电设备保修卡"),
    (D.WARRANTY, "消防设备保修卡"),
    (D.OTHER, "钥匙清单及各类钥匙"),
]
