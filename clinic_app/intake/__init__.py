"""Submitting a request: store it with its coverage note and queue the staff email, in one transaction."""
