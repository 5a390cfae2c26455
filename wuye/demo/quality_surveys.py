"""Demo satisfaction surveys (issue 12 item 11): two per project this year — a spring survey (anonymous, closed)
and an autumn survey (named, still open for a fortnight, so the owner `yezhu` finds one to answer in the
portal) — each answered by about 40 % of the households through `wuye.quality.surveys.answer_survey`, mostly
entered by the quality department from phone calls and paper forms, the demo owners in the portal.

Scores are drawn (seeded) around a mean per dimension — fees and repairs lowest, staff attitude highest —
shifted per building (one older building trails, one does better) and per household, a little better in autumn
than in spring; about one respondent in six leaves an open answer in Chinese."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from wuye.people.access import actor_for
from wuye.quality import surveys
from wuye.quality.models import Survey, SurveyInvitation
from wuye.tenancy.models import Company

SEED = 2026
ANSWER_SHARE = 0.40
QUESTIONS = [
    {"text": "总体而言，您对物业服务是否满意？", "kind": "scale", "dimension": "overall"},
    {"text": "您对客服及各岗位人员的服务态度是否满意？", "kind": "scale", "dimension": "attitude"},
    {"text": "您对报修响应和维修质量是否满意？", "kind": "scale", "dimension": "repair"},
    {"text": "您对小区保洁和绿化养护是否满意？", "kind": "scale", "dimension": "environment"},
    {"text": "您对小区秩序维护、门岗和停车管理是否满意？", "kind": "scale", "dimension": "security"},
    {"text": "您对物业费收支公示和收费透明度是否满意？", "kind": "scale", "dimension": "fees"},
    {"text": "您对电梯、门禁等公共设施的运行是否满意？", "kind": "scale", "dimension": "facilities"},
    {"text": "您希望我们优先改进哪些方面？（可多选）", "kind": "multiple", "dimension": "other",
     "options": ["保洁", "绿化", "安保", "停车", "维修", "电梯"], "required": False},
    {"text": "您还有什么意见或建议？", "kind": "text", "dimension": "other", "required": False},
]
MEANS = {"overall": 3.95, "attitude": 4.25, "repair": 3.55, "environment": 3.85, "security": 4.0, "fees": 3.35,
         "facilities": 3.6}
OPEN_ANSWERS = {
    "repair": ["维修师傅上门很及时，态度也好。", "报修后等了三天才有人来，希望加快。", "卫生间漏水修了两次才好。"],
    "environment": ["垃圾分类点周边有异味，夏天尤其明显。", "草坪修剪不及时，杂草较多。", "楼道保洁很干净，辛苦了。"],
    "security": ["晚上外卖电动车在小区里乱停。", "门岗对访客登记很认真，点赞！", "地下车库灯光太暗，存在安全隐患。"],
    "fees": ["希望物业费收支公示更详细一些。", "公摊电费每月波动较大，希望解释一下。"],
    "facilities": ["电梯经常出故障，希望加强维保。", "单元门禁经常失灵。", "希望增加儿童游乐设施。"],
    "attitude": ["客服小姐姐很耐心，谢谢！", "打电话到服务中心经常没人接。"],
}


def _score(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.85))))


def _answers(rng: random.Random, shift: float) -> list[dict]:
    scores = {d: _score(rng, mean + shift) for d, mean in MEANS.items()}
    out = [{"scale": scores[q["dimension"]]} for q in QUESTIONS[:7]]
    worst = sorted((s, d) for d, s in scores.items() if d != "overall")[:2]
    wishes = {"repair": "维修", "environment": rng.choice(["保洁", "绿化"]), "security": rng.choice(["安保", "停车"]),
              "facilities": "电梯", "fees": None, "attitude": None}
    chosen = sorted({wishes[d] for s, d in worst if s <= 3 and wishes.get(d)},
                    key=QUESTIONS[7]["options"].index)
    out.append({"choices": chosen} if chosen else {})
    if rng.random() < 0.17:
        _worst_score, dimension = worst[0]
        out.append({"text": rng.choice(OPEN_ANSWERS.get(dimension, OPEN_ANSWERS["attitude"]))})
    else:
        out.append({})
    return out


def _run(survey: Survey, *, staff, owners: dict, rng: random.Random, shift: float, days: list[date],
         buildings: dict[int, float]) -> int:
    """Answer about 40 % of the survey's households: the demo owners in the portal, the rest by phone or paper."""
    answered = 0
    for invitation in SurveyInvitation.objects.filter(survey=survey).select_related("unit").order_by("unit_id"):
        owner = owners.get(invitation.unit_id)
        if owner is None and rng.random() >= ANSWER_SHARE:
            continue
        if owner is not None and survey.status == "open" and not survey.anonymous:
            continue  # left for the demo owner to answer in the portal
        unit = invitation.unit
        mood = rng.gauss(0, 0.35)
        answers = _answers(rng, shift + buildings.get(unit.building_id, 0) + mood)
        actor, channel = (owner, "portal") if owner is not None else (staff, rng.choice(["phone", "phone", "paper"]))
        surveys.answer_survey(actor, survey, unit=unit, answers=answers, channel=channel, on=rng.choice(days))
        answered += 1
    return answered


def add_demo_surveys(company: Company, today: date) -> dict:
    """The demo's surveys (see the module docstring); returns counts."""
    rng = random.Random(SEED)
    users = get_user_model().objects
    staff = actor_for(users.get(username="pinzhi"))
    owners = {}
    for username in ("yezhu", "yezhu2"):
        user = users.filter(username=username).first()
        if user is not None:
            actor = actor_for(user)
            owners.update(dict.fromkeys(actor.unit_ids, actor))
    autumn_opens = min(date(today.year, 10, 15), today - timedelta(days=30))
    spring_opens = min(date(today.year, 3, 10), autumn_opens - timedelta(days=150))
    counts = {"surveys": 0, "answered": 0, "addressed": 0}
    for project in company.projects.order_by("id"):
        buildings = {b.pk: rng.choice([-0.45, -0.15, 0.0, 0.0, 0.1, 0.25]) for b in project.buildings.all()}
        for season, opens_on, closes_on, anonymous, shift in (
                ("春季", spring_opens, spring_opens + timedelta(days=30), True, -0.1),
                ("秋季", autumn_opens, today + timedelta(days=14), False, 0.1)):
            with transaction.atomic():  # one commit per survey: the answers' own transactions become savepoints
                counts = _add_survey(project, season, opens_on, closes_on, anonymous, shift, today=today, staff=staff,
                                     owners=owners, rng=rng, buildings=buildings, counts=counts)
    return counts


def _add_survey(project, season, opens_on, closes_on, anonymous, shift, *, today, staff, owners, rng, buildings,
                counts) -> dict:
    """One survey of `project`: drafted, opened, answered, closed when its closing day has passed."""
    survey = surveys.create_survey(
        staff, project=project, title=f"{opens_on.year}年{season}业主满意度调查",
        introduction="尊敬的业主：为持续提升服务品质，诚邀您花三分钟填写本问卷。感谢您的支持！",
        anonymous=anonymous, opens_on=opens_on, closes_on=closes_on, questions=QUESTIONS)
    surveys.open_survey(staff, survey, on=opens_on)
    last = min(closes_on, today)
    days = [opens_on + timedelta(days=n) for n in range((last - opens_on).days + 1)]
    counts["answered"] += _run(survey, staff=staff, owners=owners, rng=rng, shift=shift, days=days,
                               buildings=buildings)
    counts["addressed"] += SurveyInvitation.objects.filter(survey=survey).count()
    if closes_on < today:
        surveys.close_survey(staff, survey, on=closes_on)
    counts["surveys"] += 1
    return counts
