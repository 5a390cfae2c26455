"""Announcements — 公告/公示: drafts, approval, publishing to the portal and to messages, outage notices ≥ 48 h ahead, scheduled publishing and expiry (SPEC §7)."""
