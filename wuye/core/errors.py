"""Errors that service functions raise; the API and the web faces turn them into 4xx answers naming the field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FieldProblem:
    field: str
    message: str


class DomainError(Exception):
    """A request the domain refuses. `status` is the HTTP status the faces answer with."""

    status = 400

    def __init__(self, message: str, problems: list[FieldProblem] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.problems = problems or []


class InvalidInput(DomainError):
    """One or more fields are wrong (422)."""

    status = 422

    def __init__(self, field: str | None = None, message: str = "", problems: list[FieldProblem] | None = None):
        problems = list(problems or [])
        if field is not None:
            problems.insert(0, FieldProblem(field, str(message)))
        summary = "; ".join(f"{p.field}: {p.message}" for p in problems) or str(message)
        super().__init__(summary, problems)


class Conflict(DomainError):
    """The record changed state or already exists (409)."""

    status = 409


class NotAllowed(DomainError):
    """The actor's role may not do this (403). Records outside scope are 404, never this."""

    status = 403


class Problems:
    """Collects every wrong field of a request, so the answer names them all at once.

        problems = Problems()
        phone = problems.check("phone", normalize_phone, data.phone)
        problems.raise_if_any()
    """

    def __init__(self):
        self.items: list[FieldProblem] = []

    def add(self, field: str, message) -> None:
        self.items.append(FieldProblem(field, str(message)))

    def check(self, field: str, normalize, value):
        """`normalize(value)`, or None with the problem noted when it raises ValueError."""
        try:
            return normalize(value)
        except ValueError as error:
            self.add(field, error)
            return None

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput(problems=self.items)
