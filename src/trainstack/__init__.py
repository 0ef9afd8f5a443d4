"""trainstack: design and provision ML training infrastructure on Azure."""

__version__ = "0.1.0"
