"""Printable QR labels of patrol checkpoints (A4 sheet), drawn by the shared label sheet."""
