"""Test support: stand-ins for the services Teams provides, and payload builders."""
