"""QR labels (a printable PDF sheet) and the scan landing: a label's token opens the item's page."""
