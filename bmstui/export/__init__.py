"""What leaves the system as a file: tickets (text, SVG) and CSV reports.
"""
