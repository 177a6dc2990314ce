"""api.public"""
