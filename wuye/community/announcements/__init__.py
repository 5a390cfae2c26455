"""Announcements — 公告/公示: drafts, approval, publishing to the portal and to messages, outage notices ahead of
time, scheduled publishing and expiry (SPEC §7)."""
