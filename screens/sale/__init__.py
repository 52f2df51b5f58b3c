"""The sale flow: city, movies, seats, checkout, ticket.
"""
