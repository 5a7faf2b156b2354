"""Accounts: sign-in and sign-out, server-side sessions, users and organisations."""
