"""Community operations (SPEC §7): one app per process under this package (move-in, takeover, decoration,
announcements, emergencies, the paid-services catalogue, facility bookings, activities) and this package's own
app for what they share: the console's community home and its navigation."""
