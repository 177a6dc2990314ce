"""Scheduled work that spans features: the daily job (`daily`)."""
