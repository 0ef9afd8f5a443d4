"""Stacks: typed resource models, one module per service, and the CDK engine (engine.py)."""
