"""Adaptive Cards: pure functions from plain values to card JSON, and parsing what they send."""
