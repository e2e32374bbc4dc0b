"""The edge: the only package that knows the Bot Framework SDK and HTTP."""
