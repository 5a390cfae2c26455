"""Paid services — 有偿服务/便民服务: the catalogue with prices; an owner's order becomes a work order carrying the
charge (SPEC §7)."""
