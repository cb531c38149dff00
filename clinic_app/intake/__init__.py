"""Storing a request with its coverage note and queueing the staff email, in one transaction. No Flask."""
