"""The equipment register (设备台账): categories (shipped in shipped.py), contractors, items, documents and photos."""
