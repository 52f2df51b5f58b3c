"""The manager's desk and its panes: schedule, reports, audit trail, movies, coupons,
operators.
"""
