"""Pure rules: no database, no UI, no settings file. Best seats, prices, refund tiers,
coupon rules, hall layouts, the catalog file format, charts, passwords, money, ids and time.
Everything here is a function of its arguments, so it is tested without a database.
"""
