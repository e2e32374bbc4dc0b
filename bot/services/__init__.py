"""Use cases: what people can do with the portal, written against ports, not libraries."""
