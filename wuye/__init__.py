"""Wuye — the property-management service platform (物业服务平台)."""
