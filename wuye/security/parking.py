"""Parking sessions (车辆进出): entry and exit by plate (booth or camera), the temporary fee from billing's quote
paid at exit as a walk-in payment in the ledger, one open session per plate, live occupancy per zone."""
