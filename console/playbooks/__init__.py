"""Playbooks: schema, loader and validator, simulator, runner."""
