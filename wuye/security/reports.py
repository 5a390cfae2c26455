"""Row sources shared by the security pages, cards and exports (one query per idea)."""
