"""Check in and check out (the lone-worker pattern), "I need help", and the supervisor's page."""
