"""The intake step: who is calling and what is wrong."""
