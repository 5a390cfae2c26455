"""Decoration worker passes (装修出入证): identity and photo, the unit and period of the works, the pass deposit through
billing's ledger, return and expiry."""
