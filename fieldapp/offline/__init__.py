"""Working with no signal: the manifest, the service worker, what a phone keeps, the outbox."""
