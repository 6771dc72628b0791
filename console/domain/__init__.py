"""Pure help desk rules: enums, the priority matrix, the completeness gate, audit hashing.

Nothing here imports from the rest of the project, and nothing here does I/O.
"""
