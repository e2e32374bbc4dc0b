"""The Improvement and Innovation Portal bot."""
