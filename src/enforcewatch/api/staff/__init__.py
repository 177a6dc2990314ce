"""api.staff"""
