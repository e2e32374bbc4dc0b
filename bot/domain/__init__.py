"""Pure rules of the portal: standard library only, no I/O."""
