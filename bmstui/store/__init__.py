"""Storage: the connection (db), the tables (models), schema and migrations, the SQL of the
seat protocol, and the demo catalog's bulk seeding. Services use it; interfaces only to set up.
"""
