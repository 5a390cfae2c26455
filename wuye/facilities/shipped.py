"""The categories, reading points and default plans the product ships with (seed 001 ch.4, ch.6 §2)."""
