"""Periodic jobs of order and security (patrol rounds generated and opened, rounds closed, expired passes and slips)."""
