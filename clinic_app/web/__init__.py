"""What every blueprint shares: the request form and its flow, form tokens, confirmation links,
security headers, error pages, template helpers and typed access to the app's settings."""
