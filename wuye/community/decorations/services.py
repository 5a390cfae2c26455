"""Decoration (装修, SPEC §7): the rules. One function per action; `TRANSITIONS` is the state table
(status → {action: next status}); `available_actions` is what a page or the API offers an actor now.

Money goes through billing (deposit and fee bills posted with `source=` the decoration, the deposit refund through
billing's refund with approval), the refund limit is the SLA clock `decoration.refund`, findings open
rectifications through quality."""

from __future__ import annotations

from datetime import datetime

from .models import Decoration, DecorationDeduction, DecorationDocument, DecorationInspection
from .models import DecorationStatus as S

ACTIONS = ("check_documents", "return_for_documents", "resubmit", "approve_engineering", "approve", "reject",
           "cancel", "start_works", "inspect", "add_deduction", "accept", "request_deposit_refund")

TRANSITIONS: dict[str, dict[str, str]] = {
    S.SUBMITTED: {"check_documents": S.CHECKED, "return_for_documents": S.RETURNED, "reject": S.REJECTED,
                  "cancel": S.CANCELLED},
    S.RETURNED: {"resubmit": S.SUBMITTED, "cancel": S.CANCELLED},
    S.CHECKED: {"approve_engineering": S.ENGINEERING_APPROVED, "reject": S.REJECTED, "cancel": S.CANCELLED},
    S.ENGINEERING_APPROVED: {"approve": S.APPROVED, "reject": S.REJECTED, "cancel": S.CANCELLED},
    S.APPROVED: {"start_works": S.IN_PROGRESS, "cancel": S.CANCELLED},
    S.IN_PROGRESS: {"inspect": S.IN_PROGRESS, "add_deduction": S.IN_PROGRESS, "accept": S.ACCEPTED},
    S.ACCEPTED: {"add_deduction": S.ACCEPTED, "request_deposit_refund": S.ACCEPTED, "close": S.CLOSED},
    S.CLOSED: {},
    S.REJECTED: {},
    S.CANCELLED: {},
}


def decorations(actor):
    """The decorations `actor` may see (staff: project scope; owners: their own household's units)."""
    raise NotImplementedError


def apply(actor, *, unit, applicant_name, applicant_phone, works, works_kinds, contractor, contractor_licence,
          contractor_leader, contractor_phone, workers_planned, planned_start, planned_end, documents=()
          ) -> Decoration:
    """An application for `unit` (owner: own unit; desk: any unit in scope); documents [(kind, upload)]."""
    raise NotImplementedError


def add_document(actor, decoration, kind, upload) -> DecorationDocument:
    """Attach a document (PDF or image) while the application is SUBMITTED or RETURNED."""
    raise NotImplementedError


def check_documents(actor, decoration, *, note="") -> Decoration:
    """The desk finds the documents complete → CHECKED; posts the deposit and the management fee (if priced)."""
    raise NotImplementedError


def return_for_documents(actor, decoration, *, note) -> Decoration:
    """The desk returns the application to the owner for documents (note required) → RETURNED."""
    raise NotImplementedError


def resubmit(actor, decoration) -> Decoration:
    """The owner (or the desk) sends a returned application back → SUBMITTED."""
    raise NotImplementedError


def approve_engineering(actor, decoration, *, note="") -> Decoration:
    """Engineering approves the plan → ENGINEERING_APPROVED."""
    raise NotImplementedError


def approve(actor, decoration, *, note="") -> Decoration:
    """The manager approves → APPROVED; the deposit must be paid (409 naming `deposit`)."""
    raise NotImplementedError


def reject(actor, decoration, *, reason) -> Decoration:
    """The desk, engineering or the manager refuses (reason required) → REJECTED."""
    raise NotImplementedError


def cancel(actor, decoration, *, reason="") -> Decoration:
    """The applicant or the desk withdraws before works start → CANCELLED."""
    raise NotImplementedError


def start_works(actor, decoration, *, at: datetime | None = None) -> Decoration:
    """Works start → IN_PROGRESS."""
    raise NotImplementedError


def inspect(actor, decoration, *, result, findings="", violation="", photos=()) -> DecorationInspection:
    """An inspection during the works; findings open a rectification; a violation is recorded."""
    raise NotImplementedError


def add_deduction(actor, decoration, *, reason, amount) -> DecorationDeduction:
    """An itemised deduction from the deposit (total ≤ deposit paid), before the refund is requested."""
    raise NotImplementedError


def accept(actor, decoration, *, findings="", photos=(), at: datetime | None = None) -> Decoration:
    """Final acceptance → ACCEPTED; starts the `decoration.refund` clock and tells finance."""
    raise NotImplementedError


def request_deposit_refund(actor, decoration):
    """Finance asks billing to refund deposit − deductions (billing.refund_request); someone else approves."""
    raise NotImplementedError


def close_refunded(now: datetime | None = None) -> int:
    """Close accepted decorations whose deposit refund was approved; stop their clocks at the approval time."""
    raise NotImplementedError


def refund_state(decoration) -> dict:
    """deposit, paid, deductions [(reason, amount)], refund amount, refund request status, deadline."""
    raise NotImplementedError


def available_actions(actor, decoration) -> list[str]:
    """The actions of ACTIONS `actor` may take on `decoration` now."""
    raise NotImplementedError


def charges(decoration):
    """billing.services.source_bills([decoration])."""
    raise NotImplementedError


def issue_worker_pass(actor, decoration, **fields):
    """A worker pass for the decoration's workers (security.worker_passes), while APPROVED/IN_PROGRESS."""
    raise NotImplementedError
