"""Cleaning (清洁卫生): zones with frequencies, daily tasks generated ahead and their `cleaning.task` clocks started
when their time comes, done on the phone with photos, late / not done."""
