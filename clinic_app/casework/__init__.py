"""The staff's work on requests: actions, queries, the timeline, export rows and retention. No Flask."""
