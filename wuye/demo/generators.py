"""Plausible, valid, deterministic people data for demos and benchmarks (names, phones, ID numbers, plates)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from wuye.core.validators import id_check_character

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏辉建华丹宁浩凯晨欣怡子涵梓轩一诺雨桐"
# Shanghai district codes (GB/T 2260) so the ID numbers look local; the checksum makes them valid.
REGIONS = ("310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310115")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_CHARS = PLATE_LETTERS + "0123456789"


class PeopleGenerator:
    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self._phones: set[str] = set()
        self._ids: set[str] = set()
        self._plates: set[str] = set()

    def name(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def phone(self) -> str:
        while True:
            phone = self.rng.choice(("13", "15", "17", "18", "19")) + f"{self.rng.randrange(10**9):09d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def id_number(self, born_from: int = 1950, born_to: int = 2004) -> str:
        while True:
            born = date(born_from, 1, 1) + timedelta(days=self.rng.randrange((born_to - born_from) * 365))
            first17 = f"{self.rng.choice(REGIONS)}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = first17 + id_check_character(first17)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def plate(self, province: str = "沪") -> str:
        while True:
            office = self.rng.choice("ABCDEFGHJKLMN")
            if self.rng.random() < 0.3:  # new-energy: 8 characters
                energy, second = self.rng.choice("DF"), self.rng.choice(PLATE_CHARS)
                plate = f"{province}{office}{energy}{second}{self.rng.randrange(10**4):04d}"
            else:
                plate = province + office + "".join(self.rng.choice(PLATE_CHARS) for _ in range(5))
            if plate not in self._plates:
                self._plates.add(plate)
                return plate
