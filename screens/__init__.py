"""The Textual box-office UI. Talks to the database only through ``bmstui.services``."""
