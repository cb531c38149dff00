"""Outgoing email: queued in the caller's transaction, sent by a worker after the commit."""
