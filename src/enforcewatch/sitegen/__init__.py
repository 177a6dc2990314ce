"""sitegen"""
