"""The diagnostics step: capture or import, preview exactly what leaves the machine, compare."""
