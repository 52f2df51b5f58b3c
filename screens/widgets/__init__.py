"""Widgets shared by several screens: the seat grid, the admin form.
"""
