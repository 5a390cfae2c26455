"""Decoration — 装修: the owner's application, document check, deposit and fees, approvals, worker passes,
inspections, acceptance, deposit refund (SPEC §7)."""
