"""Checking a caller is genuine: the public check page behind the QR code, and the officer's
look-up of a spoken code."""
